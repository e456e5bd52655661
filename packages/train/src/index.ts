export type { ArrayDatasetOptions } from './array-dataset.js';
export { arrayDataset } from './array-dataset.js';
export type { BackendPreference, InitBackendOptions } from './backend.js';
export { BACKEND_PREFERENCES, initBackend } from './backend.js';
export type { CSVLoggerOptions } from './callbacks/csv-logger.js';
export { CSVLogger } from './callbacks/csv-logger.js';
export type { EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { EarlyStopping } from './callbacks/early-stopping.js';
export type { CheckpointInfo, ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { ModelCheckpoint } from './callbacks/model-checkpoint.js';
export type { NanGuardOptions, NonFiniteLoss } from './callbacks/nan-guard.js';
export { NanGuard } from './callbacks/nan-guard.js';
export type { ProgressBarOptions, ProgressMode, ProgressStream } from './callbacks/progress-bar.js';
export { formatDuration, isCI, ProgressBar } from './callbacks/progress-bar.js';
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
export type { CommandSpec, FlagSpec, FlagValues } from './cli/command-spec.js';
export { BACKEND_FLAG, EVALUATE_FLAGS, PREDICT_FLAGS, trainFlags } from './cli/command-spec.js';
export { formatHelp, parseFlags, UsageError } from './cli/parse-flags.js';
export { listImageInputs } from './cli/predict-command.js';
export type { RecipeSettings, SegmentationRecipe } from './cli/recipe.js';
export type { ExtraCommand, RunCliOptions } from './cli/run-cli.js';
export { runSegmentationCli } from './cli/run-cli.js';
export type { TrainRunConfig } from './cli/train-command.js';
export type {
  CompiledPredict,
  CompiledTrainStep,
  CompileOptions,
  CompilePrecision,
  CompileTrainStepOptions,
} from './compiled/index.js';
export { compilePredict, compileTrainStep } from './compiled/index.js';
export type { Connectivity, LabelImage, LabelOptions } from './connected-components.js';
export { labelComponents } from './connected-components.js';
export type { CurvesOptions } from './curves.js';
export { niceTicks, renderCurves, writeCurves } from './curves.js';
export { TrainingDivergedError } from './errors.js';
export type {
  EvaluateOptions,
  EvaluateSample,
  EvaluationOptions,
  EvaluationReport,
  ImageEvaluation,
  MaskPair,
} from './evaluate.js';
export { evaluate, evaluateMasks } from './evaluate.js';
export { FlatAdamOptimizer } from './flat-adam.js';
export type { InstanceScore, ThresholdCounts } from './instance-score.js';
export {
  DSB_IOU_THRESHOLDS,
  instanceOverlaps,
  instanceScore,
  maskInstanceScore,
  toLabelImage,
} from './instance-score.js';
export { getLearningRate, setLearningRate } from './learning-rate.js';
export type { NumericLogs, RawLogs } from './logs.js';
export { resolveLogs } from './logs.js';
export type { ConfusionCounts, SegmentationScores } from './mask-scores.js';
export { confusionCounts, scoresFromCounts } from './mask-scores.js';
export { CHECKPOINT_FILES, loadModel, loadOptimizerInto, loadWeightsInto } from './model-io.js';
export type { MonitorMode } from './monitor.js';
export { inferMode, Monitor } from './monitor.js';
export {
  installNativeKernels,
  type NativeKernelSupport,
  nativeKernelSupport,
} from './native-kernels.js';
export type { OptimizerName } from './optimizers.js';
export { createOptimizer, OPTIMIZER_NAMES } from './optimizers.js';
export type { OverlayOptions } from './overlay.js';
export { renderOverlay, writeOverlay } from './overlay.js';
export type { PredictInput, PredictOptions, PredictResult } from './predict.js';
export { predict } from './predict.js';
export type { PredictImageOptions } from './predict-image.js';
export { predictProbability } from './predict-image.js';
export { setTapeMemoryRelease } from './tape-memory.js';
export type { TileOptions, TilePlan } from './tiled-predict.js';
export { planTiles, predictTiled } from './tiled-predict.js';
export type { BatchDataset, LossOrMetric, TrainOptions, TrainResult } from './train.js';
export { runPaths, train } from './train.js';
export type { StopReason, TrainHistory, TrainingState } from './training-state.js';
export { readCheckpointState } from './training-state.js';
export type { BaseCallback } from './types.js';
