#!/usr/bin/env python3
"""Reference dropout masks for src/compiled/dropout-masks.test.ts, drawn by TensorFlow itself.

The compiled step draws a dropout mask from 16 random bits per value: one RandomUniformInt draw
(int32 over its whole range, the op's own seed and seed2) is bitcast to two uint16 values, and a
value is kept when its bits are below round(keep * 65536). This script builds that construction
from TensorFlow's Python ops and records the first run's masks, so the test checks that our
GraphDef wires the same ops, seeds and bit order.

    "$(bash scripts/keras-venv.sh)" packages/runtime/reference/dropout_masks.py
"""

import json
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow.python.ops import gen_random_ops  # noqa: E402

CASES = [
    {"shape": [3, 5, 7], "keep": 0.7, "seed": 7, "seed2": 3},
    {"shape": [2, 4, 4, 2], "keep": 0.9, "seed": 11, "seed2": 1},
]


def bits_mask(shape, keep, seed, seed2):
    """The kept values of a mask drawn from 16 bits per value (bool, `shape`). Graph code: call it
    inside a tf.function. bench/keras/dropout_mask_probe.py times it."""
    count = math.prod(shape)
    bits = gen_random_ops.random_uniform_int(
        [(count + 1) // 2], tf.constant(-(2**31)), tf.constant(2**31 - 1), seed=seed, seed2=seed2
    )
    halves = tf.bitcast(bits, tf.uint16)
    if count % 2:  # one half too many
        halves = tf.reshape(halves, [-1])[:count]
    return tf.less(tf.reshape(halves, shape), tf.constant(round(keep * 65536), tf.uint16))


def mask(shape, keep, seed, seed2):
    drawn = tf.function(lambda: bits_mask(shape, keep, seed, seed2))()
    return drawn.numpy().astype(int).reshape(-1).tolist()


def main():
    out = [dict(case, mask=mask(**case)) for case in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dropout-masks.json")
    with open(path, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": out}, f)
        f.write("\n")
    print(path)


if __name__ == "__main__":
    main()
