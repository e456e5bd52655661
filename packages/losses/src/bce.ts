import * as tf from '@tensorflow/tfjs';
import { EPSILON } from './soft-scores.js';
import { asFloatPair } from './validate.js';

/**
 * Pixel-wise binary cross-entropy, as Keras's `BinaryCrossentropy()` on probabilities (not
 * logits), mean reduction.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]` (any shape with the batch first; the mean runs over
 * every element).
 *
 * `BCE = -mean(t * log(p') + (1 - t) * log(1 - p'))` with `p' = clip(p, 1e-7, 1 - 1e-7)`.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: binaryCrossentropy });
 * ```
 */
export function binaryCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('binaryCrossentropy', yTrue, yPred);
    return tf.mean(pixelBinaryCrossentropy(t, p));
  });
}

/**
 * Element-wise `-(t * log(p') + (1 - t) * log(1 - p'))` with Keras's clipping
 * `p' = clip(p, 1e-7, 1 - 1e-7)`; same shape as the inputs. Call inside `tf.tidy`.
 */
export function pixelBinaryCrossentropy(t: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const clipped = tf.clipByValue(p, EPSILON, 1 - EPSILON);
  const logLikelihood = tf.add(
    tf.mul(t, tf.log(clipped)),
    tf.mul(tf.sub(1, t), tf.log(tf.sub(1, clipped))),
  );
  return tf.neg(logLikelihood);
}
