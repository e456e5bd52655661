#!/usr/bin/env python3
"""What drawing dropout masks costs, as the compiled step drew them and as it draws them now.

Before: one float32 RandomUniform per value, kept below `keep` (what tfjs's dropout records).
Now (packages/runtime/src/compiled/dropout-masks.ts): one RandomUniformInt draw per two values,
bitcast to two uint16 halves, kept below round(keep * 65536). The masks are those of the
satellite preset's nine dropout layers at 128 px, batch 16, both as one tf.function graph; best
of 5 rounds of 10 runs, in ms per step. Prints one JSON line.

    "$(bash scripts/keras-venv.sh)" bench/keras/dropout_mask_probe.py
"""

import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as common  # noqa: E402

# (shape, keep) of the satellite preset's dropout layers at 128 px, batch 16.
MASKS = [((16, 128, 128, 16), 0.9)] * 2 + [((16, 64, 64, 32), 0.9)] * 2 + \
    [((16, 32, 32, 64), 0.8)] * 2 + [((16, 16, 16, 128), 0.8)] * 2 + [((16, 8, 8, 256), 0.7)]


def main():
    common.configure_tf_env(0)
    import tensorflow as tf
    from tensorflow.python.ops import gen_random_ops

    def float_draw(shape, keep):
        noise = gen_random_ops.random_uniform(shape, tf.float32, seed=1, seed2=2)
        return tf.cast(noise < keep, tf.float32)

    # The construction the runtime's test checks against, from its reference script.
    sys.path.insert(0, os.path.join(common.ROOT, "packages", "runtime", "reference"))
    from dropout_masks import bits_mask  # noqa: E402

    def bits_draw(shape, keep):
        return tf.cast(bits_mask(shape, keep, seed=1, seed2=2), tf.float32)

    def timed(draw):
        # One value of each mask is read, so every draw runs and nothing else costs much.
        step = tf.function(lambda: tf.add_n([draw(s, k)[0, 0, 0, 0] for s, k in MASKS]))
        step().numpy()
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(10):
                out = step()
            out.numpy()
            best = min(best, (time.perf_counter() - start) / 10)
        return round(best * 1000, 1)

    values = sum(math.prod(s) for s, _ in MASKS)
    result = {"values_per_step": values, "float_draw_ms": timed(float_draw),
              "bits_draw_ms": timed(bits_draw)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
