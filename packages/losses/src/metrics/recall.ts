import * as tf from '@tensorflow/tfjs';
import type { ConfusionMetricOptions } from '../types.js';
import { confusionTensors } from './confusion-tensors.js';

/**
 * Recall (sensitivity) of the thresholded prediction, as Keras's `Recall(thresholds=0.5)` on
 * one batch.
 *
 * Shapes: `yTrue`, `yPred` `[N, H, W, 1]`.
 *
 * `recall = TP / (TP + FN)`, 0 when the mask is empty; a pixel is predicted positive where
 * `p > threshold` (default 0.5), labelled positive where `t != 0`. Counts over the whole batch,
 * or per image then averaged with `perImage`.
 */
export function recall(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ConfusionMetricOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const { truePositives, falseNegatives } = confusionTensors('recall', yTrue, yPred, options);
    return tf.mean(tf.divNoNan(truePositives, tf.add(truePositives, falseNegatives)));
  });
}
