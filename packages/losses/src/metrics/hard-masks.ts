import * as tf from '@tensorflow/tfjs';
import { checkUnitInterval } from '../validate.js';

/**
 * `1` where `p > threshold`, else `0`, as float32 (Keras's `Precision`/`Recall` rule). Call
 * inside `tf.tidy`.
 */
export function hardMask(functionName: string, p: tf.Tensor, threshold: number): tf.Tensor {
  checkUnitInterval(functionName, 'threshold', threshold);
  return tf.cast(tf.greater(p, threshold), 'float32');
}
