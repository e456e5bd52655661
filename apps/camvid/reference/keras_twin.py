"""Keras twin of the CamVid app: the yardstick of issue 20, as a script.

A standard U-Net of the app's size (16-32-64-128-256 filters; two 3x3 convolutions per level,
each followed by BatchNormalization and ReLU, he_normal; dropout 0.1/0.1/0.2/0.2/0.3 between the
two convolutions, mirrored in the decoder; Conv2DTranspose upsampling, skip concatenations, an
11-channel softmax head) trained at 192x256 on SegNet's CamVid train/ split, validated on val/:
horizontal flips only, Adam 1e-3, batch 8, SparseCategoricalCrossentropy(ignore_class=11), the
weights of the epoch with the best val_loss kept. Then scored on --subset (default test) the way
`unet-camvid evaluate` scores it: probabilities predicted at the model size and resized back to
the labels' own size (360x480) bilinearly, argmax, an 11-class confusion matrix with void (11)
pixels skipped; mean IoU over the classes present in truth or prediction (a class in neither is
left out, as packages/infer/src/class-scores.ts does), pixel accuracy = correct / counted.

Note: this is the "standard U-Net" of the issue's yardstick, not layer for layer the app's
`dsb2018` preset (whose decoder has no convolutions and whose batch norm sits before pooling).

Environment (prints the python to use; tensorflow-cpu 2.21.0 and pillow):
    PIP_INDEX_URL=file:///opt/pypi/simple scripts/keras-venv.sh

Full run (~17 minutes on 2 cores, per the issue), from the repository root:
    .venv-keras/bin/python apps/camvid/reference/keras_twin.py \
        --data /work/camvid-full/CamVid --out runs/keras-twin/metrics.json

Smoke test on the 60/20-image sample (it has no test/, so score val/):
    .venv-keras/bin/python apps/camvid/reference/keras_twin.py --data ../shared/data/camvid \
        --subset val --epochs 1 --image-size 48x64 --threads 1 --out /tmp/twin.json
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car",
           "Pedestrian", "Bicyclist"]
NUM_CLASSES = len(CLASSES)
VOID = 11
FILTERS = [16, 32, 64, 128, 256]
DROPOUT = [0.1, 0.1, 0.2, 0.2, 0.3]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="SegNet CamVid folder: train/ trainannot/ val/ ...")
    p.add_argument("--out", required=True, help="JSON file of the results")
    p.add_argument("--subset", default="test", choices=["train", "val", "test"])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--image-size", default="192x256", help="model input, HxW")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: its default)")
    args = p.parse_args()
    h, w = (int(v) for v in args.image_size.lower().split("x"))
    if h % 16 or w % 16:
        p.error(f"--image-size must be multiples of 16 (four poolings), got {args.image_size}")
    args.size = (h, w)
    return args


def read_split(data, subset):
    """Pairs of (RGB uint8 HxWx3, class-index uint8 HxW) of one split, by file name."""
    images_dir, masks_dir = Path(data) / subset, Path(data) / f"{subset}annot"
    if not images_dir.is_dir() or not masks_dir.is_dir():
        sys.exit(f"keras_twin: {images_dir} or {masks_dir} is missing")
    names = sorted(n for n in os.listdir(images_dir) if n.lower().endswith(".png"))
    if not names:
        sys.exit(f"keras_twin: no PNG in {images_dir}")
    images, masks = [], []
    for name in names:
        image = np.asarray(Image.open(images_dir / name).convert("RGB"))
        mask = np.asarray(Image.open(masks_dir / name))
        if mask.ndim != 2 or mask.shape != image.shape[:2]:
            sys.exit(f"keras_twin: {masks_dir / name} is not a one-channel mask of its image's size")
        if mask.max() > VOID:
            sys.exit(f"keras_twin: {masks_dir / name} holds the value {mask.max()} (classes 0-10, void 11)")
        images.append(image)
        masks.append(mask)
    return names, images, masks


def resize_images(tf, images, size):
    """To the model size, scaled to [0, 1]. Bilinear, antialiased when shrinking (triangle filter
    widened to the scale), as the app's resize (libvips' linear kernel) does."""
    return np.stack([tf.image.resize(im.astype(np.float32) / 255.0, size, "bilinear",
                                     antialias=True).numpy() for im in images])


def resize_nearest(mask, size):
    """Nearest neighbour at pixel centres, exactly as packages/infer/src/resize.ts resizeNearest."""
    (h, w), (oh, ow) = mask.shape, size
    ys = np.minimum(h - 1, ((np.arange(oh) + 0.5) * h / oh).astype(np.int64))
    xs = np.minimum(w - 1, ((np.arange(ow) + 0.5) * w / ow).astype(np.int64))
    return mask[ys][:, xs]


def build_unet(keras, size):
    layers = keras.layers

    def conv_bn_relu(x, filters):
        x = layers.Conv2D(filters, 3, padding="same", kernel_initializer="he_normal")(x)
        x = layers.BatchNormalization()(x)
        return layers.Activation("relu")(x)

    def block(x, level):
        x = conv_bn_relu(x, FILTERS[level])
        x = layers.Dropout(DROPOUT[level])(x)
        return conv_bn_relu(x, FILTERS[level])

    inputs = keras.Input((*size, 3))
    x, skips = inputs, []
    for level in range(4):
        x = block(x, level)
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
    x = block(x, 4)
    for level in reversed(range(4)):
        x = layers.Conv2DTranspose(FILTERS[level], 2, strides=2, padding="same",
                                   kernel_initializer="he_normal")(x)
        x = block(layers.Concatenate()([x, skips[level]]), level)
    outputs = layers.Conv2D(NUM_CLASSES, 1, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="unet_camvid_keras_twin")


def score(tf, model, images, masks, batch_size):
    """Confusion matrix of the subset at the labels' own size, void skipped."""
    counts = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
    for start in range(0, len(images), batch_size):
        probs = model.predict_on_batch(images[start:start + batch_size])
        for p, truth in zip(np.asarray(probs), masks[start:start + batch_size]):
            p = tf.image.resize(p, truth.shape, "bilinear").numpy()
            pred = p.argmax(-1)
            keep = truth != VOID
            pairs = truth[keep].astype(np.int64) * NUM_CLASSES + pred[keep]
            counts += np.bincount(pairs, minlength=NUM_CLASSES ** 2).reshape(counts.shape)
    tp = np.diag(counts).astype(np.float64)
    union = counts.sum(0) + counts.sum(1) - tp
    iou = [float(t / u) if u > 0 else None for t, u in zip(tp, union)]
    defined = [v for v in iou if v is not None]
    total = counts.sum()
    return {
        "miou": float(np.mean(defined)) if defined else None,
        "pixel_accuracy": float(tp.sum() / total) if total else None,
        "per_class": dict(zip(CLASSES, iou)),
        "pixels": int(total),
        "confusion": counts.tolist(),
    }


def main():
    args = parse_args()
    import tensorflow as tf  # after argument parsing, so --help is quick
    keras = tf.keras
    if args.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)

    splits = {}
    for subset in dict.fromkeys(["train", "val", args.subset]):
        names, images, masks = read_split(args.data, subset)
        splits[subset] = (names, resize_images(tf, images, args.size), masks)
        print(f"{subset}: {len(names)} images", flush=True)

    def at_model_size(subset):
        _, x, masks = splits[subset]
        return x, np.stack([resize_nearest(m, args.size) for m in masks])

    def flip(x, y):
        mirror = tf.random.uniform([]) < 0.5
        return (tf.where(mirror, tf.reverse(x, [1]), x),
                tf.where(mirror, tf.reverse(y, [1]), y))

    x_train, y_train = at_model_size("train")
    train = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
             .shuffle(len(x_train), seed=args.seed, reshuffle_each_iteration=True)
             .map(flip).batch(args.batch_size).prefetch(2))
    val = tf.data.Dataset.from_tensor_slices(at_model_size("val")).batch(args.batch_size)

    model = build_unet(keras, args.size)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=VOID))

    class KeepBest(keras.callbacks.Callback):
        """Best val_loss weights kept in memory, and one progress line per epoch."""

        def __init__(self):
            super().__init__()
            self.best, self.best_epoch, self.weights, self.history = np.inf, 0, None, []

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.time()

        def on_epoch_end(self, epoch, logs=None):
            loss, val_loss = float(logs["loss"]), float(logs["val_loss"])
            self.history.append({"epoch": epoch + 1, "loss": loss, "val_loss": val_loss})
            better = val_loss < self.best
            if better:
                self.best, self.best_epoch = val_loss, epoch + 1
                self.weights = self.model.get_weights()
            print(f"epoch {epoch + 1}/{args.epochs}  loss {loss:.4f}  val_loss {val_loss:.4f}  "
                  f"{time.time() - self.started:.0f}s{'  best' if better else ''}", flush=True)

    keep = KeepBest()
    started = time.time()
    model.fit(train, validation_data=val, epochs=args.epochs, callbacks=[keep], verbose=0,
              shuffle=False)  # the dataset shuffles itself, seeded
    training_seconds = time.time() - started
    model.set_weights(keep.weights)

    names, x_eval, masks_eval = splits[args.subset]
    scores = score(tf, model, x_eval, masks_eval, args.batch_size)
    result = {
        "model": "keras U-Net twin (16-256 filters, batch norm after every convolution, dropout)",
        "subset": args.subset,
        "images": len(names),
        "miou": scores["miou"],
        "pixel_accuracy": scores["pixel_accuracy"],
        "per_class": scores["per_class"],
        "epochs": args.epochs,
        "best_epoch": keep.best_epoch,
        "best_val_loss": keep.best,
        "training_seconds": round(training_seconds, 1),
        "image_size": list(args.size),
        "batch_size": args.batch_size,
        "seed": args.seed,
        "train_images": len(splits["train"][0]),
        "val_images": len(splits["val"][0]),
        "parameters": model.count_params(),
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "history": keep.history,
        "pixels": scores["pixels"],
        "confusion": scores["confusion"],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.subset}: mean IoU {result['miou']}, pixel accuracy "
          f"{result['pixel_accuracy']} (best epoch {keep.best_epoch}) -> {args.out}")


if __name__ == "__main__":
    main()
