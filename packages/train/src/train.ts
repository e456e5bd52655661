import * as tf from '@tensorflow/tfjs';
import { arrayDataset, isEpochSeeded } from '@unet/data';
import { attachCompiledFit, resolveCompileMode } from '@unet/runtime';
import { BatchNormRecalibration, withLastBatchFlag } from './callbacks/batch-norm-recalibration.js';
import { CSVLogger } from './callbacks/csv-logger.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { HistoryRecorder } from './callbacks/history-recorder.js';
import { ModelCheckpoint } from './callbacks/model-checkpoint.js';
import { NanGuard } from './callbacks/nan-guard.js';
import { ProgressBar } from './callbacks/progress-bar.js';
import { ResumeCheckpoint } from './callbacks/resume-checkpoint.js';
import { defaultLog } from './callbacks/stateful.js';
import { tensorBoard } from './callbacks/tensorboard.js';
import { resolveCheckpointDir } from './checkpoint-store.js';
import { writeCurves } from './curves.js';
import { TrainingDivergedError } from './errors.js';
import { loadWeightsInto } from './model-io.js';
import { Monitor } from './monitor.js';
import { batchNormLayers } from './recalibrate-batch-norm.js';
import { restoreMissedBest, restoreRun } from './resume.js';
import {
  type BatchDataset,
  runPaths,
  type TrainOptions,
  type TrainResult,
} from './train-options.js';
import { compile, normalizeCallbacks, splitTail, uniqueStateful, validate } from './train-setup.js';
import {
  cloneHistory,
  emptyHistory,
  type StopReason,
  type TrainHistory,
  type TrainingState,
} from './training-state.js';
import type { BaseCallback } from './types.js';

export type { BatchDataset, LossOrMetric, TrainOptions, TrainResult } from './train-options.js';
export { runPaths } from './train-options.js';

function resultOf(
  history: TrainHistory,
  stopReason: StopReason,
  initialEpoch: number,
  monitor: Monitor,
  best: ModelCheckpoint | null,
  outDir: string | null,
  recalibration: BatchNormRecalibration | null = null,
): TrainResult {
  const hasBest = best !== null && best.lastSavedEpoch >= 0;
  return {
    ...cloneHistory(history),
    stopReason,
    initialEpoch,
    monitor: monitor.key,
    bestScore: hasBest ? best.best : null,
    bestEpoch: hasBest ? best.lastSavedEpoch : null,
    outDir,
    recalibration: recalibration
      ? { count: recalibration.count, seconds: recalibration.seconds }
      : null,
  };
}

/**
 * Trains `model` with Keras-style callbacks, crash-safe checkpoints and resume.
 *
 * With `outDir`, every epoch ends by atomically writing `<outDir>/last` (model, optimizer state
 * and `state.json`); `<outDir>/best` holds the best model by `monitor`; `log.csv` gets one row
 * per epoch. `resume: true` continues from `last` with the same weights, optimizer moments,
 * learning rate, epoch counter, callback counters and history, so the history has no gaps or
 * duplicates however the previous run ended. A NaN/infinite loss stops the run, restores the last
 * good checkpoint into `model` and throws {@link TrainingDivergedError}.
 *
 * Models with batch norm get their moving statistics recomputed from the training images
 * (`recalibrateBatchNorm`) before validations of short epochs and before best/final saves.
 *
 * Reproducibility: `seed` fixes the order of `x`/`y` samples per epoch (also across a resume).
 * Weight initialisation and dropout are seeded in the layers (`buildUnet({ seed })`); the
 * native backend's kernels may still differ in the last bits between runs.
 *
 * @example
 * ```ts
 * const result = await train({
 *   model, x, y, validationSplit: 0.1, loss: 'binaryCrossentropy', metrics: [dice],
 *   epochs: 50, batchSize: 8, learningRate: 1e-4, outDir: 'runs/nuclei', resume: true, seed: 42,
 *   callbacks: [new EarlyStopping({ patience: 10, restoreBestWeights: true }),
 *               new ReduceLROnPlateau({ factor: 0.1, patience: 5, minLr: 1e-7 })],
 * });
 * console.log(result.history.val_loss, result.bestEpoch);
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  validate(options);
  const { model, epochs } = options;
  const log = options.log ?? defaultLog;
  const batchSize = options.batchSize ?? 8;
  const outDir = options.outDir ?? null;
  const paths = outDir === null ? null : runPaths(outDir);
  // bf16, fp32 or off: decided first, since the optimizer train() creates depends on it.
  const precision = resolveCompileMode(options.compile ?? 'auto', undefined, log);
  compile(options, precision !== 'off');

  const owned: tf.Tensor[] = [];
  try {
    let xTrain = options.x;
    let yTrain = options.y;
    let validationData = options.validationData;
    if (options.validationSplit !== undefined && xTrain && yTrain) {
      const split = splitTail(xTrain, yTrain, options.validationSplit);
      owned.push(split.xTrain, split.yTrain, split.xVal, split.yVal);
      xTrain = split.xTrain;
      yTrain = split.yTrain;
      validationData = [split.xVal, split.yVal];
    }
    const monitor = new Monitor(
      options.monitor ?? (validationData === undefined ? 'loss' : 'val_loss'),
      options.mode,
    );

    const userCallbacks = normalizeCallbacks(options.callbacks);
    const history = emptyHistory();
    const recorder = new HistoryRecorder(history);
    const nanGuard = new NanGuard({ log });
    const best = paths
      ? new ModelCheckpoint({ dir: paths.best, monitor: monitor.key, mode: monitor.mode, log })
      : null;
    const stateful = uniqueStateful([...userCallbacks, ...(best ? [best] : [])]);

    // Resume.
    let initialEpoch = 0;
    let previous: TrainingState | null = null;
    if (paths && options.resume) {
      previous = await restoreRun(model, paths.last, history, stateful);
      if (previous === null) {
        log(`[unet] resume: no checkpoint in ${paths.last}; starting at epoch 1`);
      } else {
        initialEpoch = previous.epoch + 1;
        if (
          previous.seed !== null &&
          options.seed !== undefined &&
          previous.seed !== options.seed
        ) {
          log(
            `[unet] resume: seed ${options.seed} differs from the checkpoint's ${previous.seed}; the data order will differ`,
          );
        }
        const done = `${paths.last} holds epoch ${previous.epoch + 1}`;
        if (previous.stopReason === 'early-stopping' || initialEpoch >= epochs) {
          const why =
            previous.stopReason === 'early-stopping'
              ? 'the run stopped early'
              : `epochs is ${epochs}`;
          log(`[unet] resume: ${done} and ${why}; nothing to train`);
          return resultOf(
            history,
            previous.stopReason ?? 'completed',
            initialEpoch,
            monitor,
            best,
            outDir,
          );
        }
        log(
          `[unet] resume: ${done} (lr ${previous.learningRate.toExponential(3)}); continuing at epoch ${initialEpoch + 1}/${epochs}`,
        );
      }
    }

    if (paths && !options.resume && (await resolveCheckpointDir(paths.last)) !== null) {
      log(
        `[unet] starting a new run in ${outDir}: its checkpoints and log.csv will be replaced ` +
          '(pass resume: true to continue it)',
      );
    }

    // Data.
    let dataset: BatchDataset;
    let batchesPerEpoch = options.batchesPerEpoch;
    if (xTrain && yTrain) {
      dataset = arrayDataset(xTrain, yTrain, {
        batchSize,
        shuffle: options.shuffle ?? true,
        seed: options.seed,
        startEpoch: initialEpoch,
      });
      batchesPerEpoch = Math.ceil(xTrain.shape[0]! / batchSize);
    } else {
      dataset = options.data!;
      // A resumed run sees the orders and augmentations an uninterrupted one would have drawn.
      if (isEpochSeeded(dataset)) dataset.setEpoch(initialEpoch);
    }

    // Batch-norm recalibration: on by default when the model has batch norm.
    let recalibration: BatchNormRecalibration | null = null;
    let syncWeights = () => {};
    if (options.recalibrateBatchNorm !== false && batchNormLayers(model).length > 0) {
      let isLastBatch = () => false;
      const recalibrationData = options.recalibrationData ?? xTrain ?? options.data!;
      if (batchesPerEpoch === undefined) ({ dataset, isLastBatch } = withLastBatchFlag(dataset));
      recalibration = new BatchNormRecalibration(model, {
        data: recalibrationData,
        batchSize,
        batchesPerEpoch,
        isLastBatch,
        epochs,
        monitor,
        syncWeights: () => syncWeights(),
      });
    }

    // Callbacks, in the order they run at the end of an epoch.
    const callbacks: BaseCallback[] = [recorder, nanGuard];
    if (options.progress !== false)
      callbacks.push(new ProgressBar({ mode: options.progress ?? 'auto' }));
    // Before EarlyStopping (its best weights) and the checkpoints; the hook after the callbacks
    // that may end the run.
    if (recalibration) callbacks.push(recalibration);
    callbacks.push(...userCallbacks, recorder.appendHook());
    if (recalibration) callbacks.push(recalibration.stopHook());
    let resumeCheckpoint: ResumeCheckpoint | null = null;
    if (paths && best) {
      callbacks.push(best, new CSVLogger({ path: paths.csv, append: previous !== null }));
      const wantBoard = options.tensorBoard ?? 'auto';
      if (wantBoard !== false) {
        const board = await tensorBoard(paths.tensorBoard);
        if (board) callbacks.push(board);
        else if (wantBoard === true)
          log('[unet] TensorBoard logs need the native TensorFlow backend; none written');
      }
      resumeCheckpoint = new ResumeCheckpoint({
        dir: paths.last,
        epochs,
        history,
        monitor,
        best: () =>
          best.lastSavedEpoch >= 0
            ? { score: best.best, epoch: best.lastSavedEpoch }
            : { score: null, epoch: null },
        stateful,
        seed: options.seed ?? null,
      });
      callbacks.push(resumeCheckpoint);
    }

    // Compiled steps: weights live in a TensorFlow session during an epoch and are synced back
    // before validation and before every other callback's epoch end.
    const compiled = precision === 'off' ? null : attachCompiledFit(model, { precision, log });
    if (compiled) {
      callbacks.unshift(compiled.callback);
      syncWeights = () => compiled.step.sync();
    }
    try {
      await model.fitDataset(dataset, {
        epochs,
        initialEpoch,
        batchesPerEpoch,
        validationData,
        validationBatchSize: batchSize,
        callbacks,
        verbose: 0,
      });
    } finally {
      compiled?.detach();
    }

    const lastEpoch = history.epoch.at(-1) ?? -1;
    const earlyStopped = userCallbacks.some(
      (c) => c instanceof EarlyStopping && c.stoppedEpoch >= 0,
    );
    const stopReason: StopReason = nanGuard.tripped
      ? 'non-finite-loss'
      : earlyStopped
        ? 'early-stopping'
        : lastEpoch >= epochs - 1
          ? 'completed'
          : 'stopped';

    if (paths) await restoreMissedBest(model, userCallbacks, paths.best, log);
    await resumeCheckpoint?.markStopped(stopReason);
    if (paths && options.curves !== false && history.epoch.length > 0) {
      await writeCurves(paths.curves, history);
    }
    if (recalibration && recalibration.count > 0) {
      const epochsRun = history.epoch.length - initialEpoch;
      log(
        `[unet] batch norm recalibrated ${recalibration.count}x in ${recalibration.seconds.toFixed(1)} s ` +
          `(${(recalibration.seconds / Math.max(1, epochsRun)).toFixed(2)} s per epoch)`,
      );
    }
    const result = resultOf(
      history,
      stopReason,
      initialEpoch,
      monitor,
      best,
      outDir,
      recalibration,
    );
    if (stopReason === 'non-finite-loss') {
      let recovery = ' There is no checkpoint to go back to (no outDir, or no finished epoch).';
      if (paths && resumeCheckpoint?.written) {
        await loadWeightsInto(model, paths.last);
        recovery = ` The model now holds the last good checkpoint (${paths.last}, epoch ${resumeCheckpoint.written.epoch + 1}).`;
      } else if (paths && previous) {
        await loadWeightsInto(model, paths.last);
        recovery = ` The model now holds the last good checkpoint (${paths.last}, epoch ${previous.epoch + 1}).`;
      }
      throw new TrainingDivergedError(`${nanGuard.message}${recovery}`, result);
    }
    return result;
  } finally {
    tf.dispose(owned);
  }
}
