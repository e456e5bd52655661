#!/usr/bin/env python3
"""The most this CPU multiplies through TensorFlow: a 4096x4096 matmul, float32 and bfloat16,
best of 5 rounds, in GFLOP/s. The ceiling any convolution can reach, for telling how far a
model's inference (GFLOP per image x images per second) is from it.

    "$(bash scripts/keras-venv.sh)" bench/keras/matmul_peak.py
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as common  # noqa: E402


def main():
    common.configure_tf_env(0)
    import tensorflow as tf

    n = 4096
    result = {"n": n}
    for dtype in (tf.float32, tf.bfloat16):
        a = tf.cast(tf.random.uniform((n, n), dtype=tf.float32), dtype)
        b = tf.identity(a)
        matmul = tf.function(lambda p, q: tf.matmul(p, q))
        matmul(a, b).numpy()  # traces and warms
        best = 0.0
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(5):
                c = matmul(a, b)
            c.numpy()
            best = max(best, 2 * n**3 / ((time.perf_counter() - start) / 5) / 1e9)
        result[f"{dtype.name}_gflops"] = round(best)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
