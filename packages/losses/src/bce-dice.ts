import * as tf from '@tensorflow/tfjs';
import { binaryCrossentropy } from './bce.js';
import { diceLoss } from './dice.js';
import type { OverlapOptions } from './types.js';
import { asFloatPair, checkNonNegative } from './validate.js';

/** Options of {@link bceDiceLoss}. */
export interface BceDiceOptions extends OverlapOptions {
  /** Weight of the binary cross-entropy term. Default 1. */
  bceWeight?: number;
  /** Weight of the Dice loss term. Default 1. */
  diceWeight?: number;
}

/**
 * Binary cross-entropy plus Dice loss, the usual pairing for U-Nets: BCE gives smooth
 * per-pixel gradients, Dice counters class imbalance.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]`.
 *
 * `loss = bceWeight * BCE + diceWeight * (1 - Dice)`, each as in {@link binaryCrossentropy}
 * and {@link diceLoss} (`smooth`, `perImage` go to the Dice term). Weights default to 1.
 */
export function bceDiceLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: BceDiceOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('bceDiceLoss', yTrue, yPred);
    const bceWeight = options.bceWeight ?? 1;
    const diceWeight = options.diceWeight ?? 1;
    checkNonNegative('bceDiceLoss', 'bceWeight', bceWeight);
    checkNonNegative('bceDiceLoss', 'diceWeight', diceWeight);
    const bce = binaryCrossentropy(t, p);
    const dice = diceLoss(t, p, { smooth: options.smooth, perImage: options.perImage });
    return tf.add(tf.mul(bce, bceWeight), tf.mul(dice, diceWeight));
  });
}
