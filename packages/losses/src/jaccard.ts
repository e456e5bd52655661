import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH, imageAxes, jaccardScore } from './soft-scores.js';
import type { OverlapOptions } from './types.js';
import { asFloatPair, checkNonNegative } from './validate.js';

/**
 * Soft Jaccard (IoU) loss: `1 - IoU`.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]` (for `[N, H, W, C]` the classes are pooled).
 *
 * `IoU = (sum(t * p) + smooth) / (sum(t) + sum(p) - sum(t * p) + smooth)`, sums over the whole
 * batch, or per image then averaged when `perImage` is set. `smooth` defaults to 1.
 */
export function jaccardLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: OverlapOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('jaccardLoss', yTrue, yPred);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    checkNonNegative('jaccardLoss', 'smooth', smooth);
    const score = jaccardScore(t, p, imageAxes(t.rank, options.perImage ?? false), smooth);
    return tf.sub(1, tf.mean(score));
  });
}
