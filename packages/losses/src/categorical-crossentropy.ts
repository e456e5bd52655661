import * as tf from '@tensorflow/tfjs';
import { EPSILON } from './soft-scores.js';
import type { ClassWeightOptions } from './types.js';
import { asFloatPair, classWeightTensor } from './validate.js';

/**
 * Pixel-wise categorical cross-entropy for softmax outputs, as Keras's
 * `CategoricalCrossentropy()` on probabilities, mean reduction.
 *
 * Shapes: `yTrue` one-hot `[N, H, W, C]`, `yPred` softmax `[N, H, W, C]`.
 *
 * `CE = -mean over pixels of sum_c(w_c * t_c * log(p'_c))` with `p' = clip(p / sum_c(p_c),
 * 1e-7, 1 - 1e-7)`. With `classWeights` each pixel's term is scaled by the weight of its true
 * class and the mean still divides by the pixel count (Keras's `sample_weight` behaviour).
 */
export function categoricalCrossentropy(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ClassWeightOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('categoricalCrossentropy', yTrue, yPred);
    const numClasses = p.shape[p.rank - 1]!;
    const normalized = tf.div(p, tf.sum(p, -1, true));
    const clipped = tf.clipByValue(normalized, EPSILON, 1 - EPSILON);
    let logLikelihood = tf.mul(t, tf.log(clipped));
    if (options.classWeights !== undefined) {
      const weights = classWeightTensor(
        'categoricalCrossentropy',
        options.classWeights,
        numClasses,
      );
      logLikelihood = tf.mul(logLikelihood, weights);
    }
    return tf.neg(tf.mean<tf.Scalar>(tf.sum(logLikelihood, -1)));
  });
}
