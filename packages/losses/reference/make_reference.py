"""Reference values for @unet/losses, computed with TensorFlow/Keras.

Writes keras-reference.json next to this file: fixed inputs (binary [N,H,W,1] masks,
multi-class [N,H,W,C] one-hot masks and class-index [N,H,W,1] masks with ignored pixels for the
sparse losses, whose inputs carry a separate "trueShape"), including empty masks, perfect predictions and predictions
at 0, 1e-7, 1-1e-7 and 1) and, for every loss and metric of the package and several option
sets, the value TensorFlow gives. src/reference.test.ts checks every function against it.

Where Keras has the function (BinaryCrossentropy, BinaryFocalCrossentropy,
CategoricalCrossentropy, Precision, Recall, BinaryIoU, MeanIoU) the Keras object computes the
value; Dice, IoU and Tversky are written in TF ops from their formulas, as the articles do.

Run from the repository root (creates the venv with tensorflow-cpu on first use):

    "$(bash scripts/keras-venv.sh)" packages/losses/reference/make_reference.py
"""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent / "keras-reference.json"
EPS = 1e-7
rng = np.random.default_rng(20240611)
f32 = np.float32


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def binary_mask(shape, fraction):
    return (rng.random(shape) < fraction).astype(f32)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(f32)


def one_hot(classes, num_classes):
    return np.eye(num_classes, dtype=f32)[classes]


B = (3, 6, 6, 1)  # binary shape
M = (2, 5, 5, 3)  # multi-class shape

mask = binary_mask(B, 0.4)
mask_with_empty_image = mask.copy()
mask_with_empty_image[1] = 0.0
extremes = np.array([0.0, 1e-7, 0.5, 1.0 - 1e-7, 1.0], dtype=f32)

classes = rng.integers(0, 3, size=M[:3])
classes_no_2 = rng.integers(0, 2, size=M[:3])

INPUTS = {
    "binary_random": (mask, rng.random(B).astype(f32)),
    "binary_empty_mask": (np.zeros(B, f32), (0.1 * rng.random(B)).astype(f32)),
    "binary_empty_mask_empty_pred": (np.zeros(B, f32), np.zeros(B, f32)),
    "binary_perfect": (mask, mask.copy()),
    "binary_confident_right": (mask, np.where(mask > 0, f32(1 - EPS), f32(EPS)).astype(f32)),
    "binary_confident_wrong": (mask, np.where(mask > 0, f32(EPS), f32(1 - EPS)).astype(f32)),
    "binary_extremes": (mask, rng.choice(extremes, size=B).astype(f32)),
    "binary_one_empty_image": (
        mask_with_empty_image,
        np.clip(mask_with_empty_image * 0.7 + 0.3 * rng.random(B), 0, 1).astype(f32),
    ),
    "multiclass_random": (one_hot(classes, 3), softmax(2 * rng.normal(size=M))),
    "multiclass_perfect": (one_hot(classes, 3), one_hot(classes, 3)),
    "multiclass_near_edges": (
        one_hot(classes, 3),
        (one_hot(classes, 3) * f32(1 - 2 * EPS) + f32(EPS)).astype(f32),
    ),
    "multiclass_absent_class": (one_hot(classes_no_2, 3), softmax(2 * rng.normal(size=M))),
}

# Class-index masks, 4 classes; label 4 (= the class count, like CamVid's void 11) and 255 are
# ignore values, so the cases can check that each one is ignored only when declared.
S = (2, 5, 6, 4)
sparse_labels = rng.integers(0, 4, size=S[:3] + (1,))
sparse_void = np.where(rng.random(S[:3] + (1,)) < 0.25, 4, sparse_labels)
sparse_void_255 = np.where(sparse_void == 4, 255, sparse_void)
sparse_no_3 = np.where(sparse_void == 3, 1, sparse_void)


def one_hot_of(labels, num_classes=4):
    return one_hot(np.where(labels[..., 0] < num_classes, labels[..., 0], 0), num_classes)


INPUTS.update({
    "sparse_random": (sparse_void.astype(f32), softmax(2 * rng.normal(size=S))),
    "sparse_random_void_255": (sparse_void_255.astype(f32), softmax(2 * rng.normal(size=S))),
    "sparse_no_ignored": (sparse_labels.astype(f32), softmax(2 * rng.normal(size=S))),
    "sparse_perfect": (sparse_void.astype(f32), one_hot_of(sparse_void)),
    # Exactly 0 and 1, always on a wrong class (classes reversed): the clipped log at its limit.
    "sparse_extremes": (sparse_void.astype(f32), one_hot_of(sparse_void)[..., ::-1].copy()),
    "sparse_confident_right": (
        sparse_void.astype(f32),
        (one_hot_of(sparse_void) * f32(1 - 4 * EPS) + f32(EPS)).astype(f32),
    ),
    "sparse_absent_class": (sparse_no_3.astype(f32), softmax(2 * rng.normal(size=S))),
    "sparse_all_ignored": (np.full(S[:3] + (1,), 4, f32), softmax(2 * rng.normal(size=S))),
})

BINARY = [name for name in INPUTS if name.startswith("binary_")]
MULTICLASS = [name for name in INPUTS if name.startswith("multiclass_")]
SPARSE_VOID_4 = [n for n in INPUTS if n.startswith("sparse_") and n != "sparse_random_void_255"]
SPARSE_NO_IGNORE = ["sparse_no_ignored"]


# ---------------------------------------------------------------------------------------------
# Reference implementations: (t, p, options) -> float, t and p float32 tf constants
# ---------------------------------------------------------------------------------------------


def axes_of(t, per_image):
    return list(range(1, t.shape.rank)) if per_image else None


def dice_score(t, p, smooth=1.0, per_image=False):
    axes = axes_of(t, per_image)
    intersection = tf.reduce_sum(t * p, axis=axes)
    score = (2.0 * intersection + smooth) / (tf.reduce_sum(t, axes) + tf.reduce_sum(p, axes) + smooth)
    return tf.reduce_mean(score)


def iou_score(t, p, smooth=1.0, per_image=False):
    axes = axes_of(t, per_image)
    intersection = tf.reduce_sum(t * p, axis=axes)
    union = tf.reduce_sum(t, axes) + tf.reduce_sum(p, axes) - intersection
    return tf.reduce_mean((intersection + smooth) / (union + smooth))


def tversky_index(t, p, alpha=0.5, beta=0.5, smooth=1.0, per_image=False):
    axes = axes_of(t, per_image)
    tp = tf.reduce_sum(t * p, axes)
    fp = tf.reduce_sum((1.0 - t) * p, axes)
    fn = tf.reduce_sum(t * (1.0 - p), axes)
    return tf.reduce_mean((tp + smooth) / (tp + alpha * fp + beta * fn + smooth))


def hard(p, threshold):
    return tf.cast(p > threshold, tf.float32)


def keras_bce(t, p):
    return keras.losses.BinaryCrossentropy()(t, p)


def keras_metric(metric, t, p, sample_weight=None):
    metric.update_state(t, p, sample_weight=sample_weight)
    return metric.result()


def per_image_confusion(t, p, threshold, kind):
    axes = [1, 2, 3]
    positive = tf.cast(tf.not_equal(t, 0.0), tf.float32)
    predicted = hard(p, threshold)
    tp = tf.reduce_sum(positive * predicted, axes)
    other = (1.0 - positive) * predicted if kind == "precision" else positive * (1.0 - predicted)
    return tf.reduce_mean(tf.math.divide_no_nan(tp, tp + tf.reduce_sum(other, axes)))


def weighted_cce(t, p, weights):
    # Class weights as Keras applies them: sample_weight = weight of each pixel's true class.
    sample_weight = tf.gather(tf.constant(weights, tf.float32), tf.argmax(t, axis=-1))
    return keras.losses.CategoricalCrossentropy()(t, p, sample_weight=sample_weight)


def categorical_dice_loss(t, p, smooth=1.0, per_image=False, class_weights=None):
    axes = [1, 2] if per_image else [0, 1, 2]
    intersection = tf.reduce_sum(t * p, axes)
    per_class = (2.0 * intersection + smooth) / (tf.reduce_sum(t, axes) + tf.reduce_sum(p, axes) + smooth)
    w = tf.constant(class_weights if class_weights else [1.0] * t.shape[-1], tf.float32)
    return 1.0 - tf.reduce_mean(tf.reduce_sum(per_class * w, -1) / tf.reduce_sum(w))


def sparse_weights(t, ignore, weights):
    """Keras sample weights from class weights: the weight of each pixel's true class."""
    labels = tf.cast(t[..., 0], tf.int32)
    if ignore is not None:
        labels = tf.where(labels == ignore, 0, labels)
    return tf.gather(tf.constant(weights, tf.float32), labels)


def sparse_cce(t, p, ignore=None, weights=None):
    loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=ignore)
    if weights is None:
        return loss(t, p)
    return loss(t, p, sample_weight=sparse_weights(t, ignore, weights))


def valid_pixels(t, p, ignore):
    """The counted pixels only: labels [V] and predictions [V, C]."""
    labels = tf.reshape(t, [-1])
    probs = tf.reshape(p, [-1, p.shape[-1]])
    keep = tf.ones_like(labels, tf.bool) if ignore is None else tf.not_equal(labels, ignore)
    return tf.cast(tf.boolean_mask(labels, keep), tf.int32), tf.boolean_mask(probs, keep)


def sparse_focal(t, p, ignore=None, weights=None, alpha=0.25, gamma=2.0):
    labels, probs = valid_pixels(t, p, ignore)
    if labels.shape[0] == 0:
        return 0.0  # nothing counted: the loss is defined as 0
    w = tf.gather(tf.constant(weights or [1.0] * p.shape[-1], tf.float32), labels)
    loss = keras.losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=gamma)
    return loss(tf.one_hot(labels, p.shape[-1]), probs, sample_weight=w)


def sparse_dice_loss(t, p, ignore=None, weights=None, smooth=1.0, per_image=False):
    """categorical_dice_loss of the one-hot truth with ignored pixels zeroed in truth and prediction."""
    labels = tf.cast(t[..., 0], tf.int32)
    valid = tf.ones_like(labels, tf.float32) if ignore is None else tf.cast(labels != ignore, tf.float32)
    onehot = tf.one_hot(tf.where(valid > 0, labels, 0), p.shape[-1]) * valid[..., None]
    return categorical_dice_loss(onehot, p * valid[..., None], smooth, per_image, weights)


# Each entry: (function name, options as the TS function takes them, input names, reference).
CASES = [
    ("binaryCrossentropy", {}, BINARY, "keras.losses.BinaryCrossentropy()", keras_bce),
    ("diceLoss", {}, BINARY + MULTICLASS, "1 - Dice (TF ops)", lambda t, p: 1 - dice_score(t, p)),
    ("diceLoss", {"perImage": True}, BINARY, "1 - mean per-image Dice",
     lambda t, p: 1 - dice_score(t, p, per_image=True)),
    ("diceLoss", {"smooth": 1e-5}, BINARY, "1 - Dice, smooth 1e-5",
     lambda t, p: 1 - dice_score(t, p, smooth=1e-5)),
    ("jaccardLoss", {}, BINARY, "1 - IoU (TF ops)", lambda t, p: 1 - iou_score(t, p)),
    ("jaccardLoss", {"perImage": True, "smooth": 0.5}, BINARY, "1 - mean per-image IoU",
     lambda t, p: 1 - iou_score(t, p, smooth=0.5, per_image=True)),
    ("bceDiceLoss", {}, BINARY, "BinaryCrossentropy() + (1 - Dice)",
     lambda t, p: keras_bce(t, p) + 1 - dice_score(t, p)),
    ("bceDiceLoss", {"bceWeight": 0.5, "diceWeight": 2, "perImage": True}, BINARY,
     "0.5 * BinaryCrossentropy() + 2 * (1 - per-image Dice)",
     lambda t, p: 0.5 * keras_bce(t, p) + 2 * (1 - dice_score(t, p, per_image=True))),
    ("focalLoss", {}, BINARY, "keras.losses.BinaryFocalCrossentropy(gamma=2)",
     lambda t, p: keras.losses.BinaryFocalCrossentropy(gamma=2.0)(t, p)),
    ("focalLoss", {"alpha": 0.25}, BINARY,
     "keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.25, gamma=2)",
     lambda t, p: keras.losses.BinaryFocalCrossentropy(
         apply_class_balancing=True, alpha=0.25, gamma=2.0)(t, p)),
    ("focalLoss", {"gamma": 3.5, "alpha": 0.6}, BINARY,
     "keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.6, gamma=3.5)",
     lambda t, p: keras.losses.BinaryFocalCrossentropy(
         apply_class_balancing=True, alpha=0.6, gamma=3.5)(t, p)),
    ("tverskyLoss", {}, BINARY, "1 - Tversky(alpha=0.5, beta=0.5) (TF ops)",
     lambda t, p: 1 - tversky_index(t, p)),
    ("tverskyLoss", {"alpha": 0.3, "beta": 0.7}, BINARY, "1 - Tversky(alpha=0.3, beta=0.7)",
     lambda t, p: 1 - tversky_index(t, p, 0.3, 0.7)),
    ("tverskyLoss", {"alpha": 0.7, "beta": 0.3, "perImage": True, "smooth": 2}, BINARY,
     "1 - mean per-image Tversky(alpha=0.7, beta=0.3, smooth=2)",
     lambda t, p: 1 - tversky_index(t, p, 0.7, 0.3, 2.0, True)),
    ("categoricalCrossentropy", {}, MULTICLASS, "keras.losses.CategoricalCrossentropy()",
     lambda t, p: keras.losses.CategoricalCrossentropy()(t, p)),
    ("categoricalCrossentropy", {"classWeights": [0.2, 1, 3]}, MULTICLASS,
     "CategoricalCrossentropy()(t, p, sample_weight=classWeights[argmax t])",
     lambda t, p: weighted_cce(t, p, [0.2, 1.0, 3.0])),
    ("categoricalDiceLoss", {}, MULTICLASS, "1 - mean over classes of Dice_c (TF ops)",
     lambda t, p: categorical_dice_loss(t, p)),
    ("categoricalDiceLoss", {"classWeights": [0, 1, 2]}, MULTICLASS,
     "1 - weighted mean over classes of Dice_c",
     lambda t, p: categorical_dice_loss(t, p, class_weights=[0.0, 1.0, 2.0])),
    ("categoricalDiceLoss", {"perImage": True}, MULTICLASS, "1 - mean over images and classes",
     lambda t, p: categorical_dice_loss(t, p, per_image=True)),
    ("sparseCategoricalCrossentropy", {"ignoreIndex": 4}, SPARSE_VOID_4,
     "keras.losses.SparseCategoricalCrossentropy(ignore_class=4)",
     lambda t, p: sparse_cce(t, p, ignore=4)),
    ("sparseCategoricalCrossentropy", {"ignoreIndex": 255}, ["sparse_random_void_255"],
     "keras.losses.SparseCategoricalCrossentropy(ignore_class=255)",
     lambda t, p: sparse_cce(t, p, ignore=255)),
    ("sparseCategoricalCrossentropy", {"ignoreIndex": 4, "classWeights": [0.5, 2, 1, 3]},
     SPARSE_VOID_4, "SparseCategoricalCrossentropy(ignore_class=4)(t, p, sample_weight=w[t])",
     lambda t, p: sparse_cce(t, p, ignore=4, weights=[0.5, 2.0, 1.0, 3.0])),
    ("sparseCategoricalCrossentropy", {}, SPARSE_NO_IGNORE,
     "keras.losses.SparseCategoricalCrossentropy()", lambda t, p: sparse_cce(t, p)),
    ("sparseCategoricalDiceLoss", {"ignoreIndex": 4}, SPARSE_VOID_4,
     "1 - mean over classes of Dice_c over non-ignored pixels (TF ops)",
     lambda t, p: sparse_dice_loss(t, p, ignore=4)),
    ("sparseCategoricalDiceLoss", {"ignoreIndex": 4, "classWeights": [0, 1, 2, 0.5]},
     SPARSE_VOID_4, "1 - weighted mean over classes of Dice_c, non-ignored pixels",
     lambda t, p: sparse_dice_loss(t, p, ignore=4, weights=[0.0, 1.0, 2.0, 0.5])),
    ("sparseCategoricalDiceLoss", {"ignoreIndex": 4, "perImage": True, "smooth": 0.5},
     SPARSE_VOID_4, "1 - mean over images and classes of Dice_c, non-ignored pixels",
     lambda t, p: sparse_dice_loss(t, p, ignore=4, smooth=0.5, per_image=True)),
    ("sparseCategoricalDiceLoss", {}, SPARSE_NO_IGNORE, "1 - mean over classes of Dice_c",
     lambda t, p: sparse_dice_loss(t, p)),
    ("sparseCategoricalFocalLoss", {"ignoreIndex": 4}, SPARSE_VOID_4,
     "keras.losses.CategoricalFocalCrossentropy() on the non-ignored pixels",
     lambda t, p: sparse_focal(t, p, ignore=4)),
    ("sparseCategoricalFocalLoss", {"ignoreIndex": 255, "gamma": 3.5, "alpha": 1},
     ["sparse_random_void_255"], "CategoricalFocalCrossentropy(alpha=1, gamma=3.5), non-ignored",
     lambda t, p: sparse_focal(t, p, ignore=255, alpha=1.0, gamma=3.5)),
    ("sparseCategoricalFocalLoss", {"ignoreIndex": 4, "classWeights": [0.5, 2, 1, 3]},
     SPARSE_VOID_4, "CategoricalFocalCrossentropy()(..., sample_weight=w[t]), non-ignored",
     lambda t, p: sparse_focal(t, p, ignore=4, weights=[0.5, 2.0, 1.0, 3.0])),
    ("sparseCategoricalFocalLoss", {}, SPARSE_NO_IGNORE,
     "keras.losses.CategoricalFocalCrossentropy()", lambda t, p: sparse_focal(t, p)),
    ("diceCoefficient", {}, BINARY, "Dice (TF ops)", dice_score),
    ("diceCoefficient", {"threshold": 0.5}, BINARY, "Dice of p > 0.5",
     lambda t, p: dice_score(t, hard(p, 0.5))),
    ("diceCoefficient", {"perImage": True}, BINARY, "mean per-image Dice",
     lambda t, p: dice_score(t, p, per_image=True)),
    ("iouScore", {}, BINARY, "IoU (TF ops)", iou_score),
    ("iouScore", {"threshold": 0.5}, BINARY, "IoU of p > 0.5", lambda t, p: iou_score(t, hard(p, 0.5))),
    ("iouScore", {"perImage": True}, BINARY, "mean per-image IoU",
     lambda t, p: iou_score(t, p, per_image=True)),
    ("precision", {}, BINARY, "keras.metrics.Precision(thresholds=0.5)",
     lambda t, p: keras_metric(keras.metrics.Precision(thresholds=0.5), t, p)),
    ("precision", {"threshold": 0.3}, BINARY, "keras.metrics.Precision(thresholds=0.3)",
     lambda t, p: keras_metric(keras.metrics.Precision(thresholds=0.3), t, p)),
    ("precision", {"perImage": True}, BINARY, "mean per-image TP / (TP + FP), 0 if undefined",
     lambda t, p: per_image_confusion(t, p, 0.5, "precision")),
    ("recall", {}, BINARY, "keras.metrics.Recall(thresholds=0.5)",
     lambda t, p: keras_metric(keras.metrics.Recall(thresholds=0.5), t, p)),
    ("recall", {"threshold": 0.3}, BINARY, "keras.metrics.Recall(thresholds=0.3)",
     lambda t, p: keras_metric(keras.metrics.Recall(thresholds=0.3), t, p)),
    ("recall", {"perImage": True}, BINARY, "mean per-image TP / (TP + FN), 0 if undefined",
     lambda t, p: per_image_confusion(t, p, 0.5, "recall")),
    ("meanIoU", {}, BINARY, "keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.5)",
     lambda t, p: keras_metric(keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.5), t, p)),
    ("meanIoU", {"threshold": 0.7}, BINARY,
     "keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.7)",
     lambda t, p: keras_metric(keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.7), t, p)),
    ("meanIoU", {}, MULTICLASS,
     "keras.metrics.MeanIoU(num_classes=3, sparse_y_true=False, sparse_y_pred=False)",
     lambda t, p: keras_metric(
         keras.metrics.MeanIoU(num_classes=3, sparse_y_true=False, sparse_y_pred=False), t, p)),
]


def to_json_lines(document):
    """JSON with one input and one case per line: readable, and diffs show what changed."""
    head = {k: v for k, v in document.items() if k not in ("inputs", "cases")}
    lines = ["{"]
    lines += [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append(' "inputs": {')
    items = list(document["inputs"].items())
    lines += [f"  {json.dumps(k)}: {json.dumps(v)}" + ("," if i < len(items) - 1 else "")
              for i, (k, v) in enumerate(items)]
    lines.append(" },")
    lines.append(' "cases": [')
    cases = document["cases"]
    lines += [f"  {json.dumps(c)}" + ("," if i < len(cases) - 1 else "") for i, c in enumerate(cases)]
    lines += [" ]", "}", ""]
    return "\n".join(lines)


def main():
    inputs = {
        name: {"shape": list(p.shape), "yTrue": t.ravel().tolist(), "yPred": p.ravel().tolist()}
        | ({"trueShape": list(t.shape)} if t.shape != p.shape else {})
        for name, (t, p) in INPUTS.items()
    }
    cases = []
    for fn, options, input_names, reference, compute in CASES:
        for input_name in input_names:
            t_np, p_np = INPUTS[input_name]
            value = float(np.asarray(compute(tf.constant(t_np), tf.constant(p_np)), dtype=f32))
            if not np.isfinite(value):
                raise SystemExit(f"{fn} {options} on {input_name} is not finite: {value}")
            cases.append({
                "fn": fn,
                "options": options,
                "input": input_name,
                "expected": value,
                "reference": reference,
            })
    document = {
        "description": "Reference values for @unet/losses computed with TensorFlow/Keras; "
        "regenerate with packages/losses/reference/make_reference.py",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "inputs": inputs,
        "cases": cases,
    }
    OUT.write_text(to_json_lines(document))
    print(f"wrote {len(cases)} cases over {len(inputs)} inputs to {OUT}")


if __name__ == "__main__":
    main()
