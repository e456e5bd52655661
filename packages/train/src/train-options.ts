import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { CompileMode, OptimizerName } from '@unet/runtime';
import type { ProgressMode } from './callbacks/progress-bar.js';
import type { LogFn } from './callbacks/stateful.js';
import type { MonitorMode } from './monitor.js';
import type { RecalibrationData } from './recalibrate-batch-norm.js';
import type { StopReason, TrainHistory } from './training-state.js';
import type { BaseCallback } from './types.js';

/** A loss or metric as tfjs takes it: a registered tfjs name or a `(yTrue, yPred) => Tensor`. */
export type LossOrMetric = string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);

/** Batches of `{ xs, ys }` (tfjs' `fitDataset` format). */
export type BatchDataset = tf.data.Dataset<tf.TensorContainer>;

/** Options of {@link train}. */
export interface TrainOptions {
  /** The model to train (compiled here when `loss` is given). Its weights are updated in place. */
  model: tf.LayersModel;
  /**
   * Training batches `{ xs, ys }`; give this or `x` and `y`. A resumed run calls `setEpoch` on
   * a dataset that has it (`toTfDataset`'s), so its epochs draw what an unbroken run draws.
   */
  data?: BatchDataset;
  /** Training images, NHWC float32 (with `y`). */
  x?: tf.Tensor;
  /** Training masks, NHWC (with `x`). */
  y?: tf.Tensor;
  /** Validation batches or `[x, y]` tensors. */
  validationData?: BatchDataset | [tf.Tensor, tf.Tensor];
  /** With `x`/`y`: hold out this fraction (the last samples, as Keras does) for validation. */
  validationSplit?: number;
  /** Loss: tfjs name (`'binaryCrossentropy'`) or function. Omit to keep the model's compile. */
  loss?: LossOrMetric;
  /** Metrics, reported per epoch as `name` and `val_name`. */
  metrics?: LossOrMetric[];
  /** Total epochs (a resumed run counts the epochs done before). */
  epochs: number;
  /** Batch size for `x`/`y` and for tensor validation data. Default 8. */
  batchSize?: number;
  /** With `data`: batches per epoch (the dataset must then repeat). Default: one pass. */
  batchesPerEpoch?: number;
  /** Optimizer name or instance. Default `'adam'`. */
  optimizer?: OptimizerName | tf.Optimizer;
  /** Initial learning rate. Default 1e-3 (or the optimizer instance's own). */
  learningRate?: number;
  /** Extra callbacks: EarlyStopping, ReduceLROnPlateau, tf.Callback subclasses or hook objects. */
  callbacks?: (BaseCallback | tf.CustomCallbackArgs)[];
  /**
   * Run folder. Enables `best/` (best model by `monitor`), `last/` (resume checkpoint: model,
   * optimizer, state.json), `log.csv`, `curves.png` and, with native TensorFlow, `tensorboard/`.
   */
  outDir?: string;
  /** Quantity that picks the best checkpoint. Default `val_loss` with validation, else `loss`. */
  monitor?: string;
  /** Direction of `monitor`. Default `auto` (from the name). */
  mode?: MonitorMode;
  /** Continue from `<outDir>/last` if present (weights, optimizer, epoch, LR, callbacks, history). */
  resume?: boolean;
  /** Seed of the shuffling of `x`/`y` (each epoch's order depends only on seed and epoch). */
  seed?: number;
  /** Shuffle `x`/`y` every epoch. Default true. */
  shuffle?: boolean;
  /** Progress output on stderr, or false for none. Default `'auto'`. */
  progress?: ProgressMode | false;
  /** TensorBoard logs in `<outDir>/tensorboard`: true, false or `'auto'` (native backend). */
  tensorBoard?: boolean | 'auto';
  /** Write `<outDir>/curves.png` at the end. Default true. */
  curves?: boolean;
  /** Where one-line messages go. Default stderr. */
  log?: LogFn;
  /**
   * Recompute batch-norm moving statistics from the training data (`recalibrateBatchNorm`)
   * before each validation when epochs are short (< ~300 steps at momentum 0.99), and before
   * every best or final save. Default true; no effect on models without batch norm.
   */
  recalibrateBatchNorm?: boolean;
  /**
   * Images for the recalibration: NHWC tensor or dataset of `{ xs }` batches. Default the
   * training `x`, or one pass of `data` (pass unaugmented images here when `data` augments).
   */
  recalibrationData?: RecalibrationData;
  /**
   * Run each training step as one compiled TensorFlow graph (tensorflow backend): `'fp32'`, or
   * `'bf16'` for bfloat16 compute with float32 weights, loss and update (fp32 on a CPU without
   * native bfloat16, see `cpuHasNativeBfloat16`); `'off'` trains eagerly. Steps that cannot
   * compile run eagerly, with one log line saying why. Default `'auto'`, the fastest mode that
   * keeps quality (`resolveCompileMode` of @unet/runtime): bf16 on the tensorflow backend where
   * the CPU has native bfloat16, fp32 on the tensorflow backend elsewhere, off on other backends.
   */
  compile?: CompileMode;
}

/** What {@link train} returns: the continuous history (Keras-shaped) and how the run ended. */
export interface TrainResult extends TrainHistory {
  stopReason: StopReason;
  /** First epoch (0-based) run by this call; > 0 when resumed. */
  initialEpoch: number;
  /** Quantity that picked the best checkpoint. */
  monitor: string;
  /** Best value of `monitor` and its 0-based epoch (null without `outDir` or before any). */
  bestScore: number | null;
  bestEpoch: number | null;
  /** Run folder, if any. */
  outDir: string | null;
  /** Batch-norm recalibrations of this call and their total time, or null when off / no BN. */
  recalibration: { count: number; seconds: number } | null;
}

/** Paths inside a run folder. */
export function runPaths(outDir: string) {
  return {
    best: path.join(outDir, 'best'),
    last: path.join(outDir, 'last'),
    csv: path.join(outDir, 'log.csv'),
    curves: path.join(outDir, 'curves.png'),
    tensorBoard: path.join(outDir, 'tensorboard'),
  };
}
