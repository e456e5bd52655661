#!/usr/bin/env python3
"""Where a Keras training step or inference batch spends its time, op type by op type, from
TensorFlow's profiler (the XPlane trace of one step). The Keras twin of src/profile-kernels.mjs.

    "$(bash scripts/keras-venv.sh)" bench/keras/profile_ops.py --model dsb2018 --size 128 \\
        --batch-size 16 --mode train

Keras runs the step as a graph on two inter-op threads, so op times overlap: their sum exceeds
the step time, unlike tfjs's kernel totals.
"""

import argparse
import collections
import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as common  # noqa: E402


def main():
    p = argparse.ArgumentParser(prog="profile_ops.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=common.PRESETS, default="dsb2018")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--mode", choices=("train", "infer"), default="train")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--policy", choices=("float32", "mixed_bfloat16"), default="float32",
                   help="Keras dtype policy (mixed_bfloat16: the twin of the compiled bf16 step)")
    args = p.parse_args()
    common.configure_tf_env(0)

    import numpy as np
    import tensorflow as tf
    import keras
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    rng = np.random.default_rng(0)
    shape = (args.batch_size, args.size, args.size, 3)
    x = tf.convert_to_tensor(rng.random(shape, dtype=np.float32) * np.float32(common.INPUT_SCALE[args.model]))
    y = tf.convert_to_tensor((rng.random(shape[:3] + (1,)) < 0.5).astype(np.float32))
    keras.mixed_precision.set_global_policy(args.policy)
    model = common.build_preset(args.model, args.size, 3, 1)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")

    def run():
        return model.train_on_batch(x, y) if args.mode == "train" else model.predict_on_batch(x)

    for _ in range(3):
        run()
    t0 = time.perf_counter()
    for _ in range(3):
        run()
    step_ms = (time.perf_counter() - t0) / 3 * 1000

    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        run()
        tf.profiler.experimental.stop()
        space = xplane_pb2.XSpace()
        with open(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)[0], "rb") as f:
            space.ParseFromString(f.read())

    totals = collections.defaultdict(lambda: [0, 0.0])
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name
                if ":" in name and not name.endswith(":Process"):  # "node_name:OpType"; Process = the whole step
                    op = name.rsplit(":", 1)[1]
                    totals[op][0] += 1
                    totals[op][1] += event.duration_ps / 1e9
    print(f"{args.model} @{args.size} batch {args.batch_size} {args.mode} ({args.policy}): {step_ms:.1f} ms per step unprofiled")
    print(f"{'op type':40s} {'calls':>6s} {'ms':>8s}")
    for op, (calls, ms) in sorted(totals.items(), key=lambda kv: -kv[1][1])[: args.top]:
        print(f"{op:40s} {calls:6d} {ms:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
