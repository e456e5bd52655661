#!/usr/bin/env python3
"""Keras side of the throughput benchmark: training and inference images/s and peak RSS of one
U-Net preset on fixed random in-memory data. Prints exactly one JSON line on stdout (everything
else, including TensorFlow's own logging, goes to stderr).

Run with the benchmark virtualenv's python:

    "$(bash scripts/keras-venv.sh)" bench/keras/throughput.py --model dsb2018 --size 128 \\
        --batch-size 16 --warmup-steps 2 --steps 10 --infer-batches 10 --threads 0

What is timed
- Training: `model.train_on_batch(x, y)` on tensors already resident in TensorFlow (converted
  once, outside the timing), one call per step, after --warmup-steps untimed calls (the first
  traces and compiles the train step). train_on_batch returns the loss as a Python float, so each
  timed step ends with the step finished (one host sync per step, as tfjs's fit/trainOnBatch
  does). --train-mode fit instead times one `model.fit` call of --steps steps over a tf.data
  dataset of the same in-memory batches (after a warmup fit of --warmup-steps steps); this lets
  Keras overlap input and skip the per-step sync, and includes fit's per-call setup.
- Inference: `model.predict_on_batch(x)` (the compiled predict function; returns a NumPy array, so
  each batch includes the copy out), after --infer-warmup untimed calls. --infer-mode call uses
  `model(x, training=False)` eagerly instead. Also reported: `infer_predict_images_per_s`, the
  same batches through `model.predict(x, batch_size=B)` (one call per batch, as the tutorials do).
- Peak RSS: max(getrusage ru_maxrss, /proc/self/status VmHWM) at the end, i.e. the high-water mark
  of the whole process (interpreter + TensorFlow + model + data + training + inference);
  per-phase samples are in "rss".
"""

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as common  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="throughput.py",
        description="Keras training/inference throughput and peak RSS for one U-Net preset; "
        "prints one JSON line on stdout.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", choices=common.PRESETS, default="dsb2018", help="U-Net preset")
    p.add_argument("--size", type=int, default=128, help="input height = width")
    p.add_argument("--channels", type=int, default=3, help="input channels")
    p.add_argument("--batch-size", type=int, default=16, help="batch size (training and inference)")
    p.add_argument("--warmup-steps", type=int, default=2, help="untimed training steps first (>= 1)")
    p.add_argument("--steps", type=int, default=10, help="timed training steps")
    p.add_argument("--infer-batches", type=int, default=10, help="timed inference batches")
    p.add_argument("--infer-warmup", type=int, default=2, help="untimed inference batches first")
    p.add_argument("--threads", type=int, default=0,
                   help="intra-op threads (and inter-op unless --inter-threads); 0 = TensorFlow default")
    p.add_argument("--inter-threads", type=int, default=None, help="inter-op threads (default: --threads)")
    p.add_argument("--train-mode", choices=("train_on_batch", "fit"), default="train_on_batch",
                   help="how training steps are driven (see module docstring)")
    p.add_argument("--infer-mode", choices=("predict_on_batch", "call"), default="predict_on_batch",
                   help="how inference batches are run")
    p.add_argument("--data-batches", type=int, default=1,
                   help="distinct random batches generated and cycled through")
    p.add_argument("--seed", type=int, default=0, help="seed for data (NumPy) and weights/dropout (Keras)")
    p.add_argument("--policy", choices=("float32", "mixed_bfloat16"), default="float32",
                   help="Keras dtype policy: mixed_bfloat16 computes in bfloat16 with float32 variables "
                        "(the twin of the toolkit's compiled bf16 mode)")
    args = p.parse_args(argv)
    for name in ("size", "batch_size", "warmup_steps", "steps", "infer_batches", "data_batches", "channels"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.infer_warmup < 0 or args.threads < 0 or (args.inter_threads or 0) < 0:
        p.error("--infer-warmup / --threads / --inter-threads must be >= 0")
    if args.size % 16 != 0:
        p.error("--size must be a multiple of 16 (four 2x2 poolings)")
    return args


def main(argv=None):
    args = parse_args(argv)
    t_start = time.perf_counter()
    out_fd = common.redirect_stdout_to_stderr()
    intra, inter = common.configure_tf_env(args.threads, args.inter_threads)
    rss = common.RssSampler()

    import numpy as np
    import tensorflow as tf
    import keras

    common.apply_threads(tf, intra, inter)
    keras.utils.set_random_seed(args.seed)
    rss.sample("after_import")

    # Fixed random data: images uniform in [0, 1), masks in {0, 1}; NumPy seed --seed.
    rng = np.random.default_rng(args.seed)
    shape = (args.batch_size, args.size, args.size, args.channels)
    scale = common.INPUT_SCALE[args.model]
    xs_np = [(rng.random(shape, dtype=np.float32) * np.float32(scale)) for _ in range(args.data_batches)]
    ys_np = [
        (rng.random(shape[:3] + (1,), dtype=np.float32) < 0.5).astype(np.float32)
        for _ in range(args.data_batches)
    ]

    # Set before building: every layer takes the global policy (float32 variables either way).
    keras.mixed_precision.set_global_policy(args.policy)
    model = common.build_preset(args.model, args.size, args.channels, 1)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="binary_crossentropy")
    rss.sample("after_build")

    losses = []
    step_times = []
    first_step_s = None
    if args.train_mode == "train_on_batch":
        xs = [tf.convert_to_tensor(x) for x in xs_np]
        ys = [tf.convert_to_tensor(y) for y in ys_np]
        n = len(xs)
        for i in range(args.warmup_steps):
            t0 = time.perf_counter()
            loss = model.train_on_batch(xs[i % n], ys[i % n])
            if i == 0:
                first_step_s = time.perf_counter() - t0
            losses.append(float(loss))
        for i in range(args.steps):
            j = (args.warmup_steps + i) % n
            t0 = time.perf_counter()
            loss = model.train_on_batch(xs[j], ys[j])
            step_times.append(time.perf_counter() - t0)
            losses.append(float(loss))
        train_seconds = sum(step_times)
    else:
        ds = (
            tf.data.Dataset.from_tensor_slices((np.stack(xs_np), np.stack(ys_np)))
            .repeat()
            .prefetch(tf.data.AUTOTUNE)
        )
        t0 = time.perf_counter()
        h = model.fit(ds, epochs=1, steps_per_epoch=args.warmup_steps, verbose=0)
        first_step_s = time.perf_counter() - t0  # whole warmup fit (includes tracing)
        losses.extend(h.history["loss"])
        t0 = time.perf_counter()
        h = model.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0)
        train_seconds = time.perf_counter() - t0
        losses.extend(h.history["loss"])
        xs = [tf.convert_to_tensor(x) for x in xs_np]
    rss.sample("after_train")

    if args.infer_mode == "predict_on_batch":
        def infer(x):
            return model.predict_on_batch(x)
    else:
        def infer(x):
            return model(x, training=False).numpy()

    n = len(xs)
    for i in range(args.infer_warmup):
        infer(xs[i % n])
    infer_times = []
    for i in range(args.infer_batches):
        t0 = time.perf_counter()
        out = infer(xs[i % n])
        infer_times.append(time.perf_counter() - t0)
    assert out.shape == (args.batch_size, args.size, args.size, 1), out.shape
    rss.sample("after_infer")

    infer_seconds = sum(infer_times)

    # model.predict, what the Keras tutorials call: the same batches, each a predict() call
    # (which also builds its data adapter and iterator every time).
    model.predict(xs[0], batch_size=args.batch_size, verbose=0)
    t0 = time.perf_counter()
    for i in range(args.infer_batches):
        model.predict(xs[i % n], batch_size=args.batch_size, verbose=0)
    predict_seconds = time.perf_counter() - t0
    peak = rss.peak()
    result = {
        "framework": "keras",
        "model": args.model,
        "size": args.size,
        "batch_size": args.batch_size,
        "train_images_per_s": round(args.steps * args.batch_size / train_seconds, 3),
        "infer_images_per_s": round(args.infer_batches * args.batch_size / infer_seconds, 3),
        "infer_predict_images_per_s": round(args.infer_batches * args.batch_size / predict_seconds, 3),
        "peak_rss_mb": peak["peak_rss_mb"],
        "tf_version": tf.__version__,
        "keras_version": keras.__version__,
        "jit_compile": bool(model.jit_compile),
        "policy": args.policy,
        "threads": common.thread_report(tf, intra, inter),
        "train_mode": args.train_mode,
        "infer_mode": args.infer_mode,
        "channels": args.channels,
        "params": int(model.count_params()),
        "warmup_steps": args.warmup_steps,
        "steps": args.steps,
        "infer_warmup": args.infer_warmup,
        "infer_batches": args.infer_batches,
        "data_batches": args.data_batches,
        "seed": args.seed,
        "train_seconds": round(train_seconds, 4),
        "infer_seconds": round(infer_seconds, 4),
        "train_step_ms_median": round(1000 * statistics.median(step_times), 2) if step_times else None,
        "train_step_ms_min": round(1000 * min(step_times), 2) if step_times else None,
        "infer_batch_ms_median": round(1000 * statistics.median(infer_times), 2),
        "first_step_s": round(first_step_s, 3),
        "loss_first": round(losses[0], 5),
        "loss_last": round(losses[-1], 5),
        "ru_maxrss_mb": peak["ru_maxrss_mb"],
        "vm_hwm_mb": peak["vm_hwm_mb"],
        "rss_baseline_mb": rss.samples["after_import"]["vm_rss_mb"],
        "peak_rss_over_baseline_mb": round(peak["peak_rss_mb"] - rss.samples["after_import"]["vm_rss_mb"], 1),
        "rss": rss.samples,
        "python": platform.python_version(),
        "wall_seconds": round(time.perf_counter() - t_start, 2),
    }
    common.emit_json_line(out_fd, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
