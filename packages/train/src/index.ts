/**
 * @unet/train: fit U-Net models with Keras-style callbacks (best checkpoint, early stop,
 * reduce-LR, CSV, progress, TensorBoard), resume, evaluation over a dataset and reports (curves,
 * overlays). Backends and native kernels are @unet/runtime's; masks and scores @unet/infer's.
 */

export type { BundleInfo } from './bundle.js';
export { exportBundle, readBundleManifest, requireBundleManifest } from './bundle.js';
export type { CSVLoggerOptions } from './callbacks/csv-logger.js';
export { CSVLogger } from './callbacks/csv-logger.js';
export type { EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { EarlyStopping } from './callbacks/early-stopping.js';
export type { CheckpointInfo, ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { ModelCheckpoint } from './callbacks/model-checkpoint.js';
export type { NanGuardOptions, NonFiniteLoss } from './callbacks/nan-guard.js';
export { NanGuard } from './callbacks/nan-guard.js';
export type { ProgressBarOptions, ProgressMode, ProgressStream } from './callbacks/progress-bar.js';
export { ProgressBar } from './callbacks/progress-bar.js';
export type { ReduceLROnPlateauOptions } from './callbacks/reduce-lr-on-plateau.js';
export { ReduceLROnPlateau } from './callbacks/reduce-lr-on-plateau.js';
export type { CallbackState, LogFn, StatefulCallback } from './callbacks/stateful.js';
export { isStatefulCallback } from './callbacks/stateful.js';
export type { TensorBoardOptions } from './callbacks/tensorboard.js';
export { tensorBoard } from './callbacks/tensorboard.js';
export type { TimeStoppingOptions } from './callbacks/time-stopping.js';
export { TimeStopping } from './callbacks/time-stopping.js';
export type { CheckpointFile } from './checkpoint-store.js';
export { resolveCheckpointDir, writeCheckpointDir, writeFileAtomic } from './checkpoint-store.js';
export type { CompileMode, PredictRunner } from './compiled-predict.js';
export { predictRunner } from './compiled-predict.js';
export type { CurvesOptions } from './curves.js';
export { niceTicks, renderCurves, writeCurves } from './curves.js';
export { TrainingDivergedError } from './errors.js';
export type { EvaluateOptions, EvaluateSample } from './evaluate.js';
export { evaluate } from './evaluate.js';
export { getLearningRate, setLearningRate } from './learning-rate.js';
export type { NumericLogs, RawLogs } from './logs.js';
export { resolveLogs } from './logs.js';
export {
  CHECKPOINT_FILES,
  loadModel,
  loadOptimizerInto,
  loadWeightsInto,
  readModelInputShape,
} from './model-io.js';
export type { MonitorMode, MonitorOptions } from './monitor.js';
export { inferMode, Monitor } from './monitor.js';
export type { OverlayOptions } from './overlay.js';
export { renderOverlay, writeOverlay } from './overlay.js';
export type { PredictInput, PredictOptions, PredictResult } from './predict.js';
export { predict } from './predict.js';
export type {
  RecalibrateBatchNormOptions,
  RecalibrationData,
  RecalibrationResult,
} from './recalibrate-batch-norm.js';
export { recalibrateBatchNorm } from './recalibrate-batch-norm.js';
export type { BatchDataset, LossOrMetric, TrainOptions, TrainResult } from './train.js';
export { runPaths, train } from './train.js';
export type { StopReason, TrainHistory, TrainingState } from './training-state.js';
export { readCheckpointState } from './training-state.js';
export type { BaseCallback } from './types.js';
