/**
 * @unet/cli: the command line every app shares. An app is a recipe (reader + model + loss) handed
 * to `runSegmentationCli`, which gives it the train | evaluate | predict commands, their flags
 * and `--help`.
 */

export type {
  AlwaysSet,
  ClassWeighting,
  CommandSpec,
  FlagSpec,
  FlagSpecBase,
  FlagSpecs,
  FlagValue,
  FlagValues,
  TrainDefaults,
  TrainFlags,
} from './command-spec.js';
export {
  BACKEND_FLAG,
  CLASS_WEIGHTINGS,
  COMPILE_FLAG,
  EVALUATE_FLAGS,
  PREDICT_FLAGS,
  trainFlags,
} from './command-spec.js';
export type { ImageShape } from './image-size.js';
export { parseImageSize } from './image-size.js';
export type { TrainTargets } from './instance-model.js';
export { MODEL_CLASSES_FILE, readModelClasses, registerClassLoss } from './model-classes.js';
export type { ConfigValues, ParsedFlags } from './parse-flags.js';
export { formatHelp, parseFlags, UsageError } from './parse-flags.js';
export { listImageInputs } from './predict-command.js';
export type { EnqueuePredictOptions, EnqueuePredictSummary } from './queue/enqueue-predict.js';
export { enqueuePredict } from './queue/enqueue-predict.js';
export type { PredictJobData, PredictJobResult, TileSettings } from './queue/predict-job.js';
export type { PredictWorker, PredictWorkerOptions } from './queue/predict-worker.js';
export { createPredictWorker } from './queue/predict-worker.js';
export { parseShard, type Shard, selectShard, shardOf } from './queue/shard.js';
export type { RecipeListOptions, RecipeSettings, SegmentationRecipe } from './recipe.js';
export type { ExtraCommand, RunCliOptions } from './run-cli.js';
export { defineCommand, runSegmentationCli } from './run-cli.js';
export type { TrainRunConfig } from './train-command.js';
export { WORKER_FLAGS } from './worker-command.js';
