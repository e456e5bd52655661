#!/usr/bin/env python3
"""Keras reference training: the same recipe as the TypeScript apps, on the split they chose, so
their Dice/IoU can be put next to Keras's.

    "$(bash scripts/keras-venv.sh)" bench/keras/train_reference.py --dataset dsb2018 \\
        --data ../shared/data/dsb2018/stage1_train --split split.json --out out/keras-dsb2018 \\
        --image-size 128 --epochs 25 --batch-size 16 --seed 42 --max-minutes 15

Recipe: preset 'dsb2018' (datasets dsb2018 and folder) or 'satellite' (dataset satellite) from
packages/layers/reference/keras_models.py; Adam(lr 1e-3); binary crossentropy; model.fit on the
in-memory arrays (shuffled every epoch) with validation on the split's val ids; EarlyStopping on
val_loss (patience 5, best weights restored at the end); stopped also after --epochs or when
--max-minutes of wall time have passed (checked after every batch). Then the val ids are scored
with the prediction thresholded at 0.5, at the model resolution (--image-size).

Writes OUT/metrics.json, OUT/history.csv (one row per epoch), OUT/per_image.csv,
OUT/config.json and OUT/model.weights.h5; the last (and only) stdout line is the metrics JSON.
"""

import argparse
import csv
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as common  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="train_reference.py",
        description="Train the apps' U-Net recipe in Keras on a given train/val split and report "
        "Dice/IoU on the val ids (metrics JSON on the last stdout line).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--dataset", required=True, choices=("dsb2018", "folder", "satellite"))
    p.add_argument("--data", required=True,
                   help="dsb2018: stage1_train folder (or its parent); folder: a dir with image/ and "
                   "label/ (or images/ and masks/); satellite: the dir with the GeoTIFF and mask")
    p.add_argument("--split", help='JSON file {"train": [ids], "val": [ids]} (required unless --list-ids)')
    p.add_argument("--out", help="output directory (required unless --list-ids)")
    p.add_argument("--image-size", type=int, default=128, help="model input height = width")
    p.add_argument("--epochs", type=int, default=25, help="maximum epochs")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=42, help="seed for weights, dropout and shuffling")
    p.add_argument("--max-minutes", type=float, default=15.0,
                   help="wall-time cap for training (0 = none); checked after every batch")
    p.add_argument("--patience", type=int, default=5, help="early-stopping patience on val_loss")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    p.add_argument("--augment", action="store_true",
                   help="random flips and 90-degree rotations, the same for image and mask (as the apps do)")
    p.add_argument("--reduce-lr-patience", type=int, default=0,
                   help="ReduceLROnPlateau(val_loss, factor 0.5) patience; 0 = off")
    p.add_argument("--loss", choices=("bce", "bce_dice"), default="bce",
                   help="binary cross-entropy, or BCE + (1 - Dice with smooth 1) as @unet/losses bceDiceLoss")
    p.add_argument("--polygons", help="satellite: GeoJSON (pixel coordinates) in --data to rasterize "
                   "as the mask instead of --mask-file")
    p.add_argument("--channels", type=int, choices=(1, 3), default=3,
                   help="folder dataset: grayscale kept as 1 channel or replicated to 3")
    p.add_argument("--mask-resize", choices=("nearest", "threshold"), default="nearest",
                   help="dsb2018/folder masks: nearest-neighbour resize, or bilinear then > 0.5")
    p.add_argument("--model", choices=("auto",) + common.PRESETS, default="auto",
                   help="preset; auto = satellite for satellite, dsb2018 otherwise")
    p.add_argument("--tile-size", type=int, default=128, help="satellite: tile edge in pixels")
    p.add_argument("--tile-units", choices=("index", "pixel"), default="index",
                   help="satellite: x{col}_y{row} are tile indices (x1 = pixels 128..255) or pixel offsets")
    p.add_argument("--image-file", default="sample_geotiff.tif", help="satellite: image file in --data")
    p.add_argument("--mask-file", default="sample_fp_mask.tif", help="satellite: mask file in --data")
    p.add_argument("--threads", type=int, default=0, help="intra- and inter-op threads; 0 = TensorFlow default")
    p.add_argument("--no-determinism", action="store_true",
                   help="skip tf.config.experimental.enable_op_determinism()")
    p.add_argument("--no-save-weights", action="store_true", help="do not write OUT/model.weights.h5")
    p.add_argument("--list-ids", action="store_true",
                   help="print the dataset's sample ids as JSON on stdout and exit (no training)")
    args = p.parse_args(argv)
    if not args.list_ids and (not args.split or not args.out):
        p.error("--split and --out are required (unless --list-ids)")
    for name in ("image_size", "epochs", "batch_size", "patience", "tile_size"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.image_size % 16:
        p.error("--image-size must be a multiple of 16 (four 2x2 poolings)")
    if not os.path.isdir(args.data):
        p.error(f"--data {args.data}: not a directory")
    return args


def read_split(path):
    try:
        with open(path) as f:
            split = json.load(f)
    except FileNotFoundError:
        raise SystemExit(f"{path}: split file not found") from None
    except json.JSONDecodeError as e:
        raise SystemExit(f"{path}: not valid JSON ({e})") from None
    for key in ("train", "val"):
        ids = split.get(key) if isinstance(split, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise SystemExit(f'{path}: "{key}" must be a non-empty list of string ids')
    overlap = set(split["train"]) & set(split["val"])
    if overlap:
        log(f"warning: {path}: {len(overlap)} ids are in both train and val")
    return [str(i) for i in split["train"]], [str(i) for i in split["val"]]


log = common.log


def load(args, ids):
    import bench_data as D

    if args.dataset == "dsb2018":
        x, y = D.load_dsb2018(args.data, ids, args.image_size, args.mask_resize)
        return x, y, {}
    if args.dataset == "folder":
        x, y = D.load_folder(args.data, ids, args.image_size, args.channels, args.mask_resize)
        return x, y, {}
    return D.load_satellite(args.data, ids, args.image_size, args.tile_size, args.tile_units,
                            args.image_file, args.mask_file, polygons=args.polygons)


def list_ids(args):
    import bench_data as D

    if args.dataset == "dsb2018":
        return D.dsb2018_ids(args.data)
    if args.dataset == "folder":
        return D.folder_ids(args.data)
    return D.satellite_ids(args.data, args.image_file, args.tile_size)


def scores(t, p):
    """t, p: boolean arrays. Smoothed Dice/IoU (+1), plain precision/recall."""
    import numpy as np

    inter = float(np.logical_and(t, p).sum())
    st, sp = float(t.sum()), float(p.sum())
    return {
        "dice": (2 * inter + 1) / (st + sp + 1),
        "iou": (inter + 1) / (st + sp - inter + 1),
        "precision": inter / sp if sp > 0 else (1.0 if st == 0 else 0.0),
        "recall": inter / st if st > 0 else (1.0 if sp == 0 else 0.0),
        "true_pixels": int(st),
        "pred_pixels": int(sp),
    }


def main(argv=None):
    args = parse_args(argv)
    out_fd = common.redirect_stdout_to_stderr()

    import bench_data as D

    if args.list_ids:
        try:
            ids = list_ids(args)
        except D.DataError as e:
            raise SystemExit(str(e)) from None
        common.emit_json_line(out_fd, {"dataset": args.dataset, "count": len(ids), "ids": ids})
        return 0

    train_ids, val_ids = read_split(args.split)
    t0 = time.perf_counter()
    try:
        x_train, y_train, info = load(args, train_ids)
        x_val, y_val, _ = load(args, val_ids)
    except D.DataError as e:
        raise SystemExit(str(e)) from None
    load_seconds = time.perf_counter() - t0
    log(f"loaded {len(train_ids)} train / {len(val_ids)} val samples at {args.image_size}px "
        f"in {load_seconds:.1f}s; foreground fraction train {y_train.mean():.3f}, val {y_val.mean():.3f}")

    intra, inter = common.configure_tf_env(args.threads)
    import numpy as np
    import tensorflow as tf
    import keras

    common.apply_threads(tf, intra, inter)
    keras.utils.set_random_seed(args.seed)
    if not args.no_determinism:
        tf.config.experimental.enable_op_determinism()

    preset = args.model if args.model != "auto" else ("satellite" if args.dataset == "satellite" else "dsb2018")
    scale = np.float32(common.INPUT_SCALE[preset])  # satellite preset rescales x / 255 inside
    if scale != 1:
        x_train, x_val = x_train * scale, x_val * scale
    model = common.build_preset(preset, args.image_size, x_train.shape[-1], 1)
    def bce_dice(y_true, y_pred):
        bce = keras.losses.binary_crossentropy(y_true, y_pred)
        inter = tf.reduce_sum(y_true * y_pred)
        dice = (2.0 * inter + 1.0) / (tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) + 1.0)
        return tf.reduce_mean(bce) + (1.0 - dice)

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=args.lr),
        loss="binary_crossentropy" if args.loss == "bce" else bce_dice,
        metrics=["accuracy", keras.metrics.BinaryIoU(target_class_ids=[1], threshold=0.5, name="iou")],
    )

    os.makedirs(args.out, exist_ok=True)
    history_path = os.path.join(args.out, "history.csv")

    class WallClock(keras.callbacks.Callback):
        """Stops training once --max-minutes of wall time have passed (checked after each batch;
        Keras then still validates the cut epoch and runs the epoch-end callbacks)."""

        def __init__(self, minutes):
            super().__init__()
            self.limit = minutes * 60.0 if minutes and minutes > 0 else None
            self.triggered_epoch = None

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            self.epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.limit is not None and time.perf_counter() - self.start >= self.limit:
                if self.triggered_epoch is None:
                    self.triggered_epoch = self.epoch
                    log(f"max-minutes reached during epoch {self.epoch + 1}: stopping")
                self.model.stop_training = True

    class History(keras.callbacks.Callback):
        """history.csv written after every epoch (usable if the run is interrupted)."""

        def __init__(self):
            super().__init__()
            self.rows = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            row = {"epoch": epoch + 1}
            row.update({k: float(v) for k, v in (logs or {}).items()})
            row["seconds"] = round(time.perf_counter() - self.t, 3)
            self.rows.append(row)
            keys = []
            for r in self.rows:
                keys += [k for k in r if k not in keys]
            with open(history_path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=keys)
                w.writeheader()
                w.writerows(self.rows)
            log(f"epoch {epoch + 1}/{args.epochs} " + " ".join(
                f"{k}={v:.4f}" for k, v in row.items() if k not in ("epoch",)))

    early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=args.patience,
                                          restore_best_weights=True, verbose=0)
    wall = WallClock(args.max_minutes)
    hist = History()
    t0 = time.perf_counter()
    callbacks = [wall, early, hist]
    if args.reduce_lr_patience > 0:
        callbacks.insert(1, keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=args.reduce_lr_patience, verbose=0))
    if args.augment:
        def flip_rotate(x, y):
            xy = tf.concat([x, y], axis=-1)  # one transform for image and mask
            xy = tf.image.random_flip_left_right(xy)
            xy = tf.image.random_flip_up_down(xy)
            xy = tf.image.rot90(xy, k=tf.random.uniform([], 0, 4, dtype=tf.int32))
            return xy[..., :-1], xy[..., -1:]

        train_data = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                      .shuffle(len(x_train), seed=args.seed, reshuffle_each_iteration=True)
                      .map(flip_rotate).batch(args.batch_size).prefetch(2))
        model.fit(train_data, epochs=args.epochs, validation_data=(x_val, y_val),
                  callbacks=callbacks, verbose=0)
    else:
        model.fit(
            x_train, y_train,
            batch_size=args.batch_size,
            epochs=args.epochs,
            validation_data=(x_val, y_val),
            shuffle=True,
            callbacks=callbacks,
            verbose=0,
        )
    train_seconds = time.perf_counter() - t0
    epochs_run = len(hist.rows)
    if wall.triggered_epoch is not None:
        stopped_by = "max_minutes"
    elif early.stopped_epoch > 0:
        stopped_by = "early_stopping"
    else:
        stopped_by = "epochs"
    best_epoch = (early.best_epoch + 1) if early.best_weights is not None else epochs_run

    # Evaluation on the val ids with the restored best weights.
    t0 = time.perf_counter()
    val_eval = model.evaluate(x_val, y_val, batch_size=args.batch_size, verbose=0, return_dict=True)
    prob = model.predict(x_val, batch_size=args.batch_size, verbose=0)
    eval_seconds = time.perf_counter() - t0
    t = y_val > 0.5
    p = prob > 0.5
    micro = scores(t, p)
    per = [scores(t[i], p[i]) for i in range(len(val_ids))]
    with open(os.path.join(args.out, "per_image.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "dice", "iou", "precision", "recall", "true_pixels", "pred_pixels"])
        for id_, s in zip(val_ids, per):
            w.writerow([id_, f"{s['dice']:.6f}", f"{s['iou']:.6f}", f"{s['precision']:.6f}",
                        f"{s['recall']:.6f}", s["true_pixels"], s["pred_pixels"]])
    if not args.no_save_weights:
        model.save_weights(os.path.join(args.out, "model.weights.h5"))

    metrics = {
        "dice": round(micro["dice"], 6),
        "iou": round(micro["iou"], 6),
        "dice_per_image_mean": round(float(np.mean([s["dice"] for s in per])), 6),
        "iou_per_image_mean": round(float(np.mean([s["iou"] for s in per])), 6),
        "precision": round(micro["precision"], 6),
        "recall": round(micro["recall"], 6),
        "val_loss": round(float(val_eval["loss"]), 6),
        "epochs_run": epochs_run,
        "best_epoch": best_epoch,
        "stopped_by": stopped_by,
        "train_seconds": round(train_seconds, 2),
        "eval_seconds": round(eval_seconds, 2),
        "load_seconds": round(load_seconds, 2),
        "tf_version": tf.__version__,
        "keras_version": keras.__version__,
        "jit_compile": bool(model.jit_compile),
        "framework": "keras",
        "dataset": args.dataset,
        "model": preset,
        "params": int(model.count_params()),
        "image_size": args.image_size,
        "channels": int(x_train.shape[-1]),
        "batch_size": args.batch_size,
        "seed": args.seed,
        "n_train": len(train_ids),
        "n_val": len(val_ids),
        "threads": common.thread_report(tf, intra, inter),
        "deterministic": not args.no_determinism,
        "peak_rss_mb": common.RssSampler().peak()["peak_rss_mb"],
    }
    if info:
        metrics["normalisation"] = info
    config = {k: v for k, v in vars(args).items()}
    config.update({"preset": preset, "optimizer": "adam", "loss": "binary_crossentropy",
                   "early_stopping": {"monitor": "val_loss", "patience": args.patience,
                                      "restore_best_weights": True},
                   "input_scale": float(scale), "python": platform.python_version(),
                   "train_ids": train_ids, "val_ids": val_ids})
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    common.emit_json_line(out_fd, metrics)
    return 0


if __name__ == "__main__":
    sys.exit(main())
