import * as tf from '@tensorflow/tfjs';
import type { ConfusionMetricOptions } from '../types.js';
import { confusionTensors } from './confusion-tensors.js';

/**
 * Precision of the thresholded prediction, as Keras's `Precision(thresholds=0.5)` on one batch.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]`.
 *
 * `precision = TP / (TP + FP)`, 0 when nothing is predicted positive; a pixel is predicted
 * positive where `p > threshold` (default 0.5), labelled positive where `t != 0`. Counts over
 * the whole batch, or per image then averaged with `perImage`. Keras accumulates the counts
 * over all batches of an epoch; tfjs averages per-batch metric values instead.
 */
export function precision(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ConfusionMetricOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const { truePositives, falsePositives } = confusionTensors('precision', yTrue, yPred, options);
    return tf.mean(tf.divNoNan(truePositives, tf.add(truePositives, falsePositives)));
  });
}
