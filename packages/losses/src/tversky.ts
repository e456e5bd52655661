import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH, imageAxes, tverskyScore } from './soft-scores.js';
import type { OverlapOptions } from './types.js';
import { asFloatPair, checkNonNegative } from './validate.js';

/** Options of {@link tverskyLoss}. */
export interface TverskyOptions extends OverlapOptions {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives; raise it (e.g. alpha 0.3, beta 0.7) to favour recall. Default 0.5. */
  beta?: number;
}

/**
 * Tversky loss (Salehi et al. 2017): `1 - TI`, a Dice that weighs the two kinds of error.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]` (for `[N, H, W, C]` the classes are pooled).
 *
 * `TI = (TP + smooth) / (TP + alpha * FP + beta * FN + smooth)` with `TP = sum(t * p)`,
 * `FP = sum((1 - t) * p)`, `FN = sum(t * (1 - p))`. `alpha = beta = 0.5` (the defaults, as in
 * Keras's `Tversky`) is the Dice loss with `smooth` doubled; `alpha = beta = 1` is the Jaccard
 * loss. `smooth` defaults to 1 (Keras's `Tversky` adds 1e-7 to the denominator only, and its
 * `alpha` weighs what is called FN here).
 */
export function tverskyLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: TverskyOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('tverskyLoss', yTrue, yPred);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    const alpha = options.alpha ?? 0.5;
    const beta = options.beta ?? 0.5;
    checkNonNegative('tverskyLoss', 'smooth', smooth);
    checkNonNegative('tverskyLoss', 'alpha', alpha);
    checkNonNegative('tverskyLoss', 'beta', beta);
    const axes = imageAxes(t.rank, options.perImage ?? false);
    return tf.sub(1, tf.mean(tverskyScore(t, p, axes, smooth, { alpha, beta })));
  });
}
