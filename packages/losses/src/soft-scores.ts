import * as tf from '@tensorflow/tfjs';

/**
 * The functional core: soft overlap scores from sums of `t * p`, `t` and `p` over chosen axes.
 * Losses and metrics pick the axes (whole batch, per image, per class) and reduce the result.
 * All functions expect float32 tensors of one shape and must be called inside `tf.tidy`.
 */

/** Keras's `backend.epsilon()`: probabilities are clipped to [EPSILON, 1 - EPSILON] before logs. */
export const EPSILON = 1e-7;

/** Default `smooth` of Dice, IoU and Tversky (as in the articles). */
export const DEFAULT_SMOOTH = 1;

/**
 * Axes one score sums over, class axis included: every axis (one score for the batch) or every
 * axis but the batch axis (one score per image, shape [N]).
 */
export function imageAxes(rank: number, perImage: boolean): number[] {
  return range(perImage ? 1 : 0, rank);
}

/**
 * Axes one per-class score sums over: every axis but the last (shape [C]) or every axis but
 * batch and class (shape [N, C]).
 */
export function pixelAxes(rank: number, perImage: boolean): number[] {
  return range(perImage ? 1 : 0, rank - 1);
}

/** Soft Dice: `(2*sum(t*p) + smooth) / (sum(t) + sum(p) + smooth)` over `axes`. */
export function diceScore(t: tf.Tensor, p: tf.Tensor, axes: number[], smooth: number): tf.Tensor {
  const intersection = tf.sum(tf.mul(t, p), axes);
  const cardinality = tf.add(tf.sum(t, axes), tf.sum(p, axes));
  return tf.div(tf.add(tf.mul(intersection, 2), smooth), tf.add(cardinality, smooth));
}

/** Soft IoU (Jaccard): `(sum(t*p) + smooth) / (sum(t) + sum(p) - sum(t*p) + smooth)`. */
export function jaccardScore(
  t: tf.Tensor,
  p: tf.Tensor,
  axes: number[],
  smooth: number,
): tf.Tensor {
  const intersection = tf.sum(tf.mul(t, p), axes);
  const union = tf.sub(tf.add(tf.sum(t, axes), tf.sum(p, axes)), intersection);
  return tf.div(tf.add(intersection, smooth), tf.add(union, smooth));
}

/** Weights of the Tversky index: `alpha` scales false positives, `beta` false negatives. */
export interface TverskyWeights {
  alpha: number;
  beta: number;
}

/**
 * Soft Tversky index: `(TP + smooth) / (TP + alpha*FP + beta*FN + smooth)` with
 * `TP = sum(t*p)`, `FP = sum((1-t)*p)`, `FN = sum(t*(1-p))`.
 */
export function tverskyScore(
  t: tf.Tensor,
  p: tf.Tensor,
  axes: number[],
  smooth: number,
  { alpha, beta }: TverskyWeights,
): tf.Tensor {
  const truePositives = tf.sum(tf.mul(t, p), axes);
  const falsePositives = tf.sum(tf.mul(tf.sub(1, t), p), axes);
  const falseNegatives = tf.sum(tf.mul(t, tf.sub(1, p)), axes);
  const denominator = tf.addN([
    truePositives,
    tf.mul(falsePositives, alpha),
    tf.mul(falseNegatives, beta),
  ]);
  return tf.div(tf.add(truePositives, smooth), tf.add(denominator, smooth));
}

/** `[from, from + 1, ..., to - 1]`. */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
