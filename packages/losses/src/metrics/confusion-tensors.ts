import * as tf from '@tensorflow/tfjs';
import { imageAxes } from '../soft-scores.js';
import type { ConfusionMetricOptions } from '../types.js';
import { asFloatPair } from '../validate.js';
import { hardMask } from './hard-masks.js';

/** True positives, false positives and false negatives, each a scalar or `[N]` (per image). */
export interface ConfusionTensors {
  truePositives: tf.Tensor;
  falsePositives: tf.Tensor;
  falseNegatives: tf.Tensor;
}

/**
 * Counts as Keras's confusion-matrix metrics do: a label is positive where `t != 0`, a
 * prediction where `p > threshold` (default 0.5). Call inside `tf.tidy`.
 */
export function confusionTensors(
  functionName: string,
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ConfusionMetricOptions,
): ConfusionTensors {
  const [t, p] = asFloatPair(functionName, yTrue, yPred);
  const labelPositive = tf.cast(tf.notEqual(t, 0), 'float32');
  const predictedPositive = hardMask(functionName, p, options.threshold ?? 0.5);
  const axes = imageAxes(t.rank, options.perImage ?? false);
  return {
    truePositives: tf.sum(tf.mul(labelPositive, predictedPositive), axes),
    falsePositives: tf.sum(tf.mul(tf.sub(1, labelPositive), predictedPositive), axes),
    falseNegatives: tf.sum(tf.mul(labelPositive, tf.sub(1, predictedPositive)), axes),
  };
}
