"""Keras reference for @unet/layers: the seed articles' U-Nets, built as the articles build them.

Writes keras-models.json next to this file with, for each model: total / trainable /
non-trainable parameter counts, the per-level shapes the articles print, the output shape for a
few input sizes, and every layer that holds weights (class and weight shapes) in Keras order.
The TypeScript tests (src/reference.test.ts) compare buildUnet's presets against this file.

Run from the repository root (creates the virtualenv with tensorflow-cpu 2.21 once):

    "$(bash scripts/keras-venv.sh)" packages/layers/reference/keras_models.py

Models:
- dsb2018: Derrick Mwiti, "Create U-Net from scratch" (seed 000), 2018 Data Science Bowl nuclei.
  16..256 filters, ReLU + he_normal, dropout inside the encoder blocks, one BatchNormalization +
  ReLU per encoder level (on the pooled path; the skip is taken before it), BatchNormalization +
  ReLU after the bottleneck's first conv, and an expansive path without convolutions
  (Conv2DTranspose -> concatenate -> BatchNormalization -> ReLU). The BatchNormalization layers
  explain the 1,952 non-trainable parameters (their moving means and variances).
- satellite: Pallawi, "Semantic segmentation with U-Net" (seed 003), buildings in satellite
  images. The article describes its code line by line (the code itself is an image): x / 255
  inside the model, 16..256 filters, ELU + he_normal, conv -> dropout -> conv at every level
  (0.1, 0.1, 0.2, 0.2, 0.3 going down, mirrored going up), Conv2DTranspose 2x2 stride 2.
- paper: Nikhil Tomar / Analytics Vidhya (seeds 001, 002), the original-size U-Net (64..1024
  filters) with BatchNormalization between every conv and its ReLU, 512x512x3.
- paper_valid: the same blocks with unpadded ('valid') convolutions and centre-cropped skip
  connections, as in Ronneberger et al. 2015: a 572x572 input gives a 388x388 output.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras-models.json")


# --- seed 000: DSB2018 (Derrick Mwiti), transcribed from the article -----------------------------
def dsb2018(img_height=128, img_width=128, img_channels=3, num_classes=1):
    inputs = tf.keras.layers.Input((img_height, img_width, img_channels))

    # Contraction path
    c1 = layers.Conv2D(16, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(inputs)
    c1 = layers.Dropout(0.1)(c1)
    c1 = layers.Conv2D(16, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(c1)
    b1 = layers.BatchNormalization()(c1)
    r1 = layers.ReLU()(b1)
    p1 = layers.MaxPooling2D((2, 2))(r1)

    c2 = layers.Conv2D(32, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(p1)
    c2 = layers.Dropout(0.1)(c2)
    c2 = layers.Conv2D(32, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(c2)
    b2 = layers.BatchNormalization()(c2)
    r2 = layers.ReLU()(b2)
    p2 = layers.MaxPooling2D((2, 2))(r2)

    c3 = layers.Conv2D(64, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(p2)
    c3 = layers.Dropout(0.2)(c3)
    c3 = layers.Conv2D(64, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(c3)
    b3 = layers.BatchNormalization()(c3)
    r3 = layers.ReLU()(b3)
    p3 = layers.MaxPooling2D((2, 2))(r3)

    c4 = layers.Conv2D(128, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(p3)
    c4 = layers.Dropout(0.2)(c4)
    c4 = layers.Conv2D(128, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(c4)
    b4 = layers.BatchNormalization()(c4)
    r4 = layers.ReLU()(b4)
    p4 = layers.MaxPooling2D(pool_size=(2, 2))(r4)

    c5 = layers.Conv2D(256, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(p4)
    b5 = layers.BatchNormalization()(c5)
    r5 = layers.ReLU()(b5)
    c5 = layers.Dropout(0.3)(r5)
    c5 = layers.Conv2D(256, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same")(c5)

    # Expansive path
    u6 = layers.Conv2DTranspose(128, (2, 2), strides=(2, 2), padding="same")(c5)
    u6 = layers.concatenate([u6, c4])
    u6 = layers.BatchNormalization()(u6)
    u6 = layers.ReLU()(u6)

    u7 = layers.Conv2DTranspose(64, (2, 2), strides=(2, 2), padding="same")(u6)
    u7 = layers.concatenate([u7, c3])
    u7 = layers.BatchNormalization()(u7)
    u7 = layers.ReLU()(u7)

    u8 = layers.Conv2DTranspose(32, (2, 2), strides=(2, 2), padding="same")(u7)
    u8 = layers.concatenate([u8, c2])
    u8 = layers.BatchNormalization()(u8)
    u8 = layers.ReLU()(u8)

    u9 = layers.Conv2DTranspose(16, (2, 2), strides=(2, 2), padding="same")(u8)
    u9 = layers.concatenate([u9, c1], axis=3)
    u9 = layers.BatchNormalization()(u9)
    u9 = layers.ReLU()(u9)

    outputs = layers.Conv2D(num_classes, (1, 1), activation="sigmoid")(u9)
    model = keras.Model(inputs=[inputs], outputs=[outputs])
    levels = {
        "skips": [c1, c2, c3, c4],
        "pooled": [p1, p2, p3, p4],
        "bottleneck": c5,
        "decoded": [u6, u7, u8, u9],
    }
    return model, levels


# --- seed 003: satellite buildings (Pallawi), from the article's line-by-line description --------
def satellite(img_height=128, img_width=128, img_channels=3, num_classes=1):
    conv = dict(activation="elu", kernel_initializer="he_normal", padding="same")
    inputs = layers.Input((img_height, img_width, img_channels))
    s = layers.Lambda(lambda x: x / 255)(inputs)

    c1 = layers.Conv2D(16, (3, 3), **conv)(s)
    c1 = layers.Dropout(0.1)(c1)
    c1 = layers.Conv2D(16, (3, 3), **conv)(c1)
    p1 = layers.MaxPooling2D((2, 2))(c1)

    c2 = layers.Conv2D(32, (3, 3), **conv)(p1)
    c2 = layers.Dropout(0.1)(c2)
    c2 = layers.Conv2D(32, (3, 3), **conv)(c2)
    p2 = layers.MaxPooling2D((2, 2))(c2)

    c3 = layers.Conv2D(64, (3, 3), **conv)(p2)
    c3 = layers.Dropout(0.2)(c3)
    c3 = layers.Conv2D(64, (3, 3), **conv)(c3)
    p3 = layers.MaxPooling2D((2, 2))(c3)

    c4 = layers.Conv2D(128, (3, 3), **conv)(p3)
    c4 = layers.Dropout(0.2)(c4)
    c4 = layers.Conv2D(128, (3, 3), **conv)(c4)
    p4 = layers.MaxPooling2D(pool_size=(2, 2))(c4)

    c5 = layers.Conv2D(256, (3, 3), **conv)(p4)
    c5 = layers.Dropout(0.3)(c5)
    c5 = layers.Conv2D(256, (3, 3), **conv)(c5)

    u6 = layers.Conv2DTranspose(128, (2, 2), strides=(2, 2), padding="same")(c5)
    u6 = layers.concatenate([u6, c4])
    c6 = layers.Conv2D(128, (3, 3), **conv)(u6)
    c6 = layers.Dropout(0.2)(c6)
    c6 = layers.Conv2D(128, (3, 3), **conv)(c6)

    u7 = layers.Conv2DTranspose(64, (2, 2), strides=(2, 2), padding="same")(c6)
    u7 = layers.concatenate([u7, c3])
    c7 = layers.Conv2D(64, (3, 3), **conv)(u7)
    c7 = layers.Dropout(0.2)(c7)
    c7 = layers.Conv2D(64, (3, 3), **conv)(c7)

    u8 = layers.Conv2DTranspose(32, (2, 2), strides=(2, 2), padding="same")(c7)
    u8 = layers.concatenate([u8, c2])
    c8 = layers.Conv2D(32, (3, 3), **conv)(u8)
    c8 = layers.Dropout(0.1)(c8)
    c8 = layers.Conv2D(32, (3, 3), **conv)(c8)

    u9 = layers.Conv2DTranspose(16, (2, 2), strides=(2, 2), padding="same")(c8)
    u9 = layers.concatenate([u9, c1], axis=3)
    c9 = layers.Conv2D(16, (3, 3), **conv)(u9)
    c9 = layers.Dropout(0.1)(c9)
    c9 = layers.Conv2D(16, (3, 3), **conv)(c9)

    outputs = layers.Conv2D(num_classes, (1, 1), activation="sigmoid")(c9)
    model = keras.Model(inputs=[inputs], outputs=[outputs])
    levels = {
        "skips": [c1, c2, c3, c4],
        "pooled": [p1, p2, p3, p4],
        "bottleneck": c5,
        "decoded": [c6, c7, c8, c9],
    }
    return model, levels


# --- seeds 001 / 002: the paper-size U-Net with batch norm (Nikhil Tomar) -----------------------
def conv_block(input, num_filters, padding="same"):
    x = layers.Conv2D(num_filters, 3, padding=padding)(input)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(num_filters, 3, padding=padding)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    return x


def encoder_block(input, num_filters, padding="same"):
    x = conv_block(input, num_filters, padding)
    p = layers.MaxPool2D((2, 2))(x)
    return x, p


def centre_crop_to(skip, target):
    """Ronneberger et al.: crop the skip connection to the upsampled map's size (valid only)."""
    dh = skip.shape[1] - target.shape[1]
    dw = skip.shape[2] - target.shape[2]
    if dh == 0 and dw == 0:
        return skip
    return layers.Cropping2D(((dh // 2, dh - dh // 2), (dw // 2, dw - dw // 2)))(skip)


def decoder_block(input, skip_features, num_filters, padding="same"):
    x = layers.Conv2DTranspose(num_filters, (2, 2), strides=2, padding="same")(input)
    if padding == "valid":
        skip_features = centre_crop_to(skip_features, x)
    x = layers.Concatenate()([x, skip_features])
    x = conv_block(x, num_filters, padding)
    return x


def paper(h=512, w=512, c=3, num_classes=1, padding="same"):
    inputs = layers.Input((h, w, c))

    s1, p1 = encoder_block(inputs, 64, padding)
    s2, p2 = encoder_block(p1, 128, padding)
    s3, p3 = encoder_block(p2, 256, padding)
    s4, p4 = encoder_block(p3, 512, padding)

    b1 = conv_block(p4, 1024, padding)

    d1 = decoder_block(b1, s4, 512, padding)
    d2 = decoder_block(d1, s3, 256, padding)
    d3 = decoder_block(d2, s2, 128, padding)
    d4 = decoder_block(d3, s1, 64, padding)

    outputs = layers.Conv2D(num_classes, 1, padding="same", activation="sigmoid")(d4)
    model = keras.Model(inputs, outputs, name="U-Net")
    levels = {"skips": [s1, s2, s3, s4], "pooled": [p1, p2, p3, p4], "bottleneck": b1, "decoded": [d1, d2, d3, d4]}
    return model, levels


def paper_valid(h=572, w=572, c=3, num_classes=1):
    return paper(h, w, c, num_classes, padding="valid")


# --- description -----------------------------------------------------------------------------
def count(weights):
    total = 0
    for w in weights:
        n = 1
        for d in w.shape:
            n *= int(d)
        total += n
    return total


def shape_of(t):
    return [int(d) for d in t.shape[1:]]


def describe(build, default_size, channels, sizes):
    model, levels = build(default_size, default_size, channels)
    total = model.count_params()
    trainable = count(model.trainable_weights)
    layers_with_weights = [
        {
            "name": layer.name,
            "className": layer.__class__.__name__,
            "weightShapes": [[int(d) for d in w.shape] for w in layer.weights],
        }
        for layer in model.layers
        if layer.weights
    ]
    output_shapes = {}
    for size in sizes:
        m, _ = build(size, size, channels)
        output_shapes[str(size)] = shape_of(m.outputs[0])
        keras.backend.clear_session()
    return {
        "inputShape": [default_size, default_size, channels],
        "totalParams": int(total),
        "trainableParams": int(trainable),
        "nonTrainableParams": int(total - trainable),
        "levels": {
            "skips": [shape_of(t) for t in levels["skips"]],
            "pooled": [shape_of(t) for t in levels["pooled"]],
            "bottleneck": shape_of(levels["bottleneck"]),
            "decoded": [shape_of(t) for t in levels["decoded"]],
            "output": shape_of(model.outputs[0]),
        },
        "outputShapes": output_shapes,
        "layerClassCounts": class_counts(model),
        "layersWithWeights": layers_with_weights,
    }


def class_counts(model):
    counts = {}
    for layer in model.layers:
        name = layer.__class__.__name__
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def main():
    result = {
        "generatedBy": "packages/layers/reference/keras_models.py",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "models": {
            "dsb2018": describe(dsb2018, 128, 3, [64, 96, 128, 256]),
            "satellite": describe(satellite, 128, 3, [64, 96, 128, 256]),
            "paper": describe(paper, 512, 3, [64, 128, 256, 512]),
            "paper_valid": describe(paper_valid, 572, 3, [188, 572]),
        },
    }
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for name, m in result["models"].items():
        print(f"{name}: {m['totalParams']:,} params ({m['trainableParams']:,} trainable), "
              f"output {m['levels']['output']} for input {m['inputShape']}", file=sys.stderr)
    print(OUT)


if __name__ == "__main__":
    main()
