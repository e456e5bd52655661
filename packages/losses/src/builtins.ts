import { binaryCrossentropy } from './bce.js';
import { bceDiceLoss } from './bce-dice.js';
import { categoricalCrossentropy } from './categorical-crossentropy.js';
import { categoricalDiceLoss, diceLoss } from './dice.js';
import { focalLoss } from './focal.js';
import { jaccardLoss } from './jaccard.js';
import { diceCoefficient } from './metrics/dice-coefficient.js';
import { iouScore } from './metrics/iou-score.js';
import { meanIoU } from './metrics/mean-iou.js';
import { precision } from './metrics/precision.js';
import { recall } from './metrics/recall.js';
import { registerBuiltin } from './registry.js';
import {
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
} from './sparse-categorical.js';
import { tverskyLoss } from './tversky.js';
import type { LossFunction, MetricFunction } from './types.js';

/** The losses of this package, registered at import under their function names. */
export const BUILTIN_LOSSES: readonly LossFunction[] = [
  binaryCrossentropy,
  diceLoss,
  jaccardLoss,
  bceDiceLoss,
  focalLoss,
  tverskyLoss,
  categoricalCrossentropy,
  categoricalDiceLoss,
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
];

/** The metrics of this package, registered at import under their function names. */
export const BUILTIN_METRICS: readonly MetricFunction[] = [
  diceCoefficient,
  iouScore,
  precision,
  recall,
  meanIoU,
];

// Side effect at import (hence "sideEffects" in package.json): the registry knows every
// built-in before any model is compiled or loaded.
for (const loss of BUILTIN_LOSSES) registerBuiltin('loss', loss);
for (const metric of BUILTIN_METRICS) registerBuiltin('metric', metric);
