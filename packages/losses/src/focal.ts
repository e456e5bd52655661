import * as tf from '@tensorflow/tfjs';
import { pixelBinaryCrossentropy } from './bce.js';
import { EPSILON } from './soft-scores.js';
import { asFloatPair, checkNonNegative, checkUnitInterval } from './validate.js';

/** Options of {@link focalLoss}. */
export interface FocalOptions {
  /** Focusing parameter: how much easy pixels are down-weighted. Default 2. */
  gamma?: number;
  /**
   * Class balance: weight `alpha` for foreground pixels, `1 - alpha` for background. Default
   * none (no balancing), like Keras's default `apply_class_balancing=False`; `alpha: 0.25` is
   * Keras's `BinaryFocalCrossentropy(apply_class_balancing=True)` and Lin et al.'s setting.
   */
  alpha?: number;
}

/**
 * Binary focal loss (Lin et al. 2017), as Keras's `BinaryFocalCrossentropy` on probabilities.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]`.
 *
 * `FL = mean(w * (1 - p_t)^gamma * BCE)` with `p_t = t * p + (1 - t) * (1 - p)`, the
 * element-wise BCE of {@link binaryCrossentropy}, and `w = t * alpha + (1 - t) * (1 - alpha)`
 * when `alpha` is set (else 1). `p_t` uses `p` clipped to [1e-7, 1 - 1e-7] so the gradient stays
 * finite at exactly 0 and 1 for any `gamma` (Keras leaves it unclipped; the values agree).
 */
export function focalLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: FocalOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('focalLoss', yTrue, yPred);
    const gamma = options.gamma ?? 2;
    checkNonNegative('focalLoss', 'gamma', gamma);
    const clipped = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const pT = tf.add(tf.mul(t, clipped), tf.mul(tf.sub(1, t), tf.sub(1, clipped)));
    const focalFactor = tf.pow(tf.sub(1, pT), gamma);
    let focal = tf.mul(focalFactor, pixelBinaryCrossentropy(t, p));
    if (options.alpha !== undefined) {
      checkUnitInterval('focalLoss', 'alpha', options.alpha);
      const alpha = options.alpha;
      const balance = tf.add(tf.mul(t, alpha), tf.mul(tf.sub(1, t), 1 - alpha));
      focal = tf.mul(balance, focal);
    }
    return tf.mean(focal);
  });
}
