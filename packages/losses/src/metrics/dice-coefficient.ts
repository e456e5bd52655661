import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH, diceScore, imageAxes } from '../soft-scores.js';
import type { OverlapMetricOptions } from '../types.js';
import { asFloatPair, checkNonNegative } from '../validate.js';
import { hardMask } from './hard-masks.js';

/**
 * Dice coefficient (F1 of the overlap), the articles' `dice_coef`; higher is better.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]` (for `[N, H, W, C]` the classes are pooled).
 *
 * `Dice = (2 * sum(t * p) + smooth) / (sum(t) + sum(p) + smooth)`, `smooth` default 1. Soft on
 * the probabilities unless `threshold` is given, then `p <- (p > threshold)`. Sums over the
 * whole batch, or per image then averaged with `perImage`.
 */
export function diceCoefficient(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: OverlapMetricOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, soft] = asFloatPair('diceCoefficient', yTrue, yPred);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    checkNonNegative('diceCoefficient', 'smooth', smooth);
    const p =
      options.threshold === undefined ? soft : hardMask('diceCoefficient', soft, options.threshold);
    return tf.mean(diceScore(t, p, imageAxes(t.rank, options.perImage ?? false), smooth));
  });
}
