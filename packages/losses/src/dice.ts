import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH, diceScore, imageAxes, pixelAxes } from './soft-scores.js';
import type { ClassWeightOptions, OverlapOptions } from './types.js';
import { asFloatPair, checkNonNegative, classWeightTensor } from './validate.js';

/**
 * Soft Dice loss for binary masks: `1 - Dice`, the articles' `dice_loss`.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]`; for `[N, H, W, C]` the sums run over the classes
 * too (one pooled score; use {@link categoricalDiceLoss} for a per-class mean).
 *
 * `Dice = (2 * sum(t * p) + smooth) / (sum(t) + sum(p) + smooth)`, sums over the whole batch,
 * or per image then averaged when `perImage` is set. `smooth` defaults to 1.
 */
export function diceLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: OverlapOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('diceLoss', yTrue, yPred);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    checkNonNegative('diceLoss', 'smooth', smooth);
    const score = diceScore(t, p, imageAxes(t.rank, options.perImage ?? false), smooth);
    return tf.sub(1, tf.mean(score));
  });
}

/** Options of {@link categoricalDiceLoss}. */
export interface CategoricalDiceOptions extends OverlapOptions, ClassWeightOptions {}

/**
 * Multi-class soft Dice loss for softmax outputs: `1 - weighted mean over classes of Dice_c`.
 *
 * Shapes: `yTrue` one-hot `[N, H, W, C]`, `yPred` softmax `[N, H, W, C]`.
 *
 * `Dice_c = (2 * sum(t_c * p_c) + smooth) / (sum(t_c) + sum(p_c) + smooth)` with sums over
 * N, H, W (or H, W per image when `perImage`, then the mean over images), and
 * `loss = 1 - sum_c(w_c * Dice_c) / sum_c(w_c)`. `classWeights` default to 1; give the
 * background class weight 0 to leave it out.
 */
export function categoricalDiceLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: CategoricalDiceOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('categoricalDiceLoss', yTrue, yPred);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    checkNonNegative('categoricalDiceLoss', 'smooth', smooth);
    const numClasses = p.shape[p.rank - 1]!;
    const weights = classWeightTensor('categoricalDiceLoss', options.classWeights, numClasses);
    const perClass = diceScore(t, p, pixelAxes(t.rank, options.perImage ?? false), smooth);
    const weighted = tf.div(tf.sum(tf.mul(perClass, weights), -1), tf.sum(weights));
    return tf.sub(1, tf.mean(weighted));
  });
}
