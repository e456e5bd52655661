/**
 * @unet/cli: the command line every app shares. An app is a recipe (reader + model + loss) handed
 * to `runSegmentationCli`, which gives it the train | evaluate | predict commands, their flags
 * and `--help`.
 */

export type {
  AlwaysSet,
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
  COMPILE_FLAG,
  EVALUATE_FLAGS,
  PREDICT_FLAGS,
  resolveCompile,
  trainFlags,
} from './command-spec.js';
export type { ConfigValues, ParsedFlags } from './parse-flags.js';
export { formatHelp, parseFlags, UsageError } from './parse-flags.js';
export { listImageInputs } from './predict-command.js';
export type { RecipeSettings, SegmentationRecipe } from './recipe.js';
export type { ExtraCommand, RunCliOptions } from './run-cli.js';
export { defineCommand, runSegmentationCli } from './run-cli.js';
export type { TrainRunConfig } from './train-command.js';
