import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH, imageAxes, jaccardScore } from '../soft-scores.js';
import type { OverlapMetricOptions } from '../types.js';
import { asFloatPair, checkNonNegative } from '../validate.js';
import { hardMask } from './hard-masks.js';

/**
 * Intersection over union (Jaccard index) of the foreground, the articles' `iou`; higher is
 * better.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]` (for `[N, H, W, C]` the classes are pooled; see
 * {@link meanIoU} for the mean over classes).
 *
 * `IoU = (sum(t * p) + smooth) / (sum(t) + sum(p) - sum(t * p) + smooth)`, `smooth` default 1.
 * Soft unless `threshold` is given, then `p <- (p > threshold)`. Sums over the whole batch, or
 * per image then averaged with `perImage`.
 */
export function iouScore(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: OverlapMetricOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, soft] = asFloatPair('iouScore', yTrue, yPred);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    checkNonNegative('iouScore', 'smooth', smooth);
    const p =
      options.threshold === undefined ? soft : hardMask('iouScore', soft, options.threshold);
    return tf.mean(jaccardScore(t, p, imageAxes(t.rank, options.perImage ?? false), smooth));
  });
}
