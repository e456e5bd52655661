// Registers the built-in losses and metrics (a side effect of importing the package).
import './builtins.js';

export { binaryCrossentropy } from './bce.js';
export type { BceDiceOptions } from './bce-dice.js';
export { bceDiceLoss } from './bce-dice.js';
export { categoricalCrossentropy } from './categorical-crossentropy.js';
export type { ComposeLossesOptions, WeightedLoss } from './compose.js';
export { composeLosses } from './compose.js';
export type { CategoricalDiceOptions } from './dice.js';
export { categoricalDiceLoss, diceLoss } from './dice.js';
export type { FocalOptions } from './focal.js';
export { focalLoss } from './focal.js';
export { jaccardLoss } from './jaccard.js';
export { diceCoefficient } from './metrics/dice-coefficient.js';
export { iouScore } from './metrics/iou-score.js';
export type { MeanIoUOptions } from './metrics/mean-iou.js';
export { meanIoU } from './metrics/mean-iou.js';
export { precision } from './metrics/precision.js';
export { recall } from './metrics/recall.js';
export type {
  LoadModelWithLossesOptions,
  LossNames,
  LossReference,
  MetricReference,
  NamedCompileArgs,
} from './model-io.js';
export {
  compileWithNamedLosses,
  LOSS_NAMES_METADATA_KEY,
  loadModelWithLosses,
  lossNamesOf,
} from './model-io.js';
export type { RegisterOptions } from './registry.js';
export {
  getLoss,
  getMetric,
  listLosses,
  listMetrics,
  lossNameOf,
  metricNameOf,
  registerLoss,
  registerMetric,
} from './registry.js';
export type { SparseDiceOptions, SparseFocalOptions } from './sparse-categorical.js';
export {
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
} from './sparse-categorical.js';
export type { SparseClassOptions } from './sparse-inputs.js';
export type { TverskyOptions } from './tversky.js';
export { tverskyLoss } from './tversky.js';
export type {
  ClassWeightOptions,
  ConfusionMetricOptions,
  LossFunction,
  MetricFunction,
  OverlapMetricOptions,
  OverlapOptions,
  ThresholdOptions,
} from './types.js';
