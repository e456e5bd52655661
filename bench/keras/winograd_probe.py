#!/usr/bin/env python3
"""Can a graph of TensorFlow ops beat oneDNN's direct 3x3 convolution in fp32 with Winograd?

Compiled fp32 inference runs near the CPU's fp32 peak (matmul_peak.py). A 1.2x margin over
Keras would need fewer multiplications, and Winograd F(2x2, 3x3) uses 2.25x fewer. TensorFlow
has no Winograd kernel on CPU, so a graph would have to build it from ops: the input transform,
16 matrix products, the output transform. This probe times that construction against
conv2d + bias + ReLU, both as tf.function graphs, on the paper preset's 3x3 convolutions at
256 px, batch 4, and checks that the two agree. It prints one JSON line per shape, then the
totals.

    "$(bash scripts/keras-venv.sh)" bench/keras/winograd_probe.py
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as common  # noqa: E402

# (batch, height = width, input channels, output channels) of the paper preset at 256 px.
SHAPES = [(4, 256, 64, 64), (4, 128, 128, 128), (4, 64, 256, 256), (4, 32, 512, 512),
          (4, 16, 1024, 1024), (4, 32, 1024, 512)]


def main():
    common.configure_tf_env(0)
    import numpy as np
    import tensorflow as tf

    g = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float32)

    def transformed_kernel(w):
        """G w G^T for every (input, output) channel pair: [16, C, K], index 4 * row + column."""
        return np.einsum("ai,ijck,bj->abck", g, w, g).reshape(16, w.shape[2], w.shape[3])

    def input_rows(p, axis):
        """B^T d along `axis` for every tile: the padded input's rows 2i..2i+3 combined."""
        n = p.shape[axis] - 2

        def rows(k):
            index = [slice(None)] * 4
            index[axis] = slice(k, k + n, 2)
            return p[tuple(index)]

        d0, d1, d2, d3 = rows(0), rows(1), rows(2), rows(3)
        return [d0 - d2, d1 + d2, d2 - d1, d1 - d3]

    def winograd(x, u, b):
        n, h, w, c = x.shape
        k = u.shape[-1]
        p = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
        tiles = [t for r in input_rows(p, 1) for t in input_rows(r, 2)]
        m = tf.matmul(tf.reshape(tf.stack(tiles, 0), [16, -1, c]), u)  # [16, tiles, K]
        m = tf.reshape(m, [4, 4, -1, k])
        s0, s1 = m[0] + m[1] + m[2], m[1] - m[2] - m[3]  # A^T along rows
        y = tf.stack([s0[0] + s0[1] + s0[2], s0[1] - s0[2] - s0[3],
                      s1[0] + s1[1] + s1[2], s1[1] - s1[2] - s1[3]], -2)
        y = tf.nn.depth_to_space(tf.reshape(y, [n, h // 2, w // 2, 4 * k]), 2)
        return tf.nn.relu(y + b)

    def direct(x, w, b):
        return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b))

    def best_ms(f, *args, reps=4):
        f(*args).numpy()
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(reps):
                out = f(*args)
            out.numpy()
            best = min(best, (time.perf_counter() - start) / reps)
        return best * 1000

    rng = np.random.default_rng(0)
    totals = {"direct_ms": 0.0, "winograd_ms": 0.0}
    for n, h, c, k in SHAPES:
        x = tf.constant(rng.standard_normal((n, h, h, c), np.float32))
        w = (rng.standard_normal((3, 3, c, k)) / np.sqrt(9 * c)).astype(np.float32)
        b = tf.constant((rng.standard_normal(k) * 0.1).astype(np.float32))
        u = tf.constant(transformed_kernel(w))
        fd, fw = tf.function(direct), tf.function(winograd)
        yd = fd(x, tf.constant(w), b).numpy()
        error = float(np.abs(yd - fw(x, u, b).numpy()).max() / np.abs(yd).max())
        row = {"shape": [n, h, h, c, k], "direct_ms": round(best_ms(fd, x, tf.constant(w), b), 1),
               "winograd_ms": round(best_ms(fw, x, u, b), 1), "max_relative_error": error}
        row["speedup"] = round(row["direct_ms"] / row["winograd_ms"], 2)
        totals["direct_ms"] += row["direct_ms"]
        totals["winograd_ms"] += row["winograd_ms"]
        print(json.dumps(row), flush=True)
    totals["speedup"] = round(totals["direct_ms"] / totals["winograd_ms"], 2)
    print(json.dumps({k: round(v, 2) for k, v in totals.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
