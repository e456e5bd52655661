import * as tf from '@tensorflow/tfjs';
import { classWeightTensor } from './validate.js';

/**
 * The shared front of the sparse losses: class-index masks instead of one-hot ones. Rather than
 * building a one-hot `[N, H, W, C]` copy of the batch, each pixel's probability of its true class
 * is gathered from the flat predictions (gather's gradient scatters back into them), and
 * per-class sums are segment sums keyed by the label.
 */

/** Options of the sparse (class-index) losses. */
export interface SparseClassOptions {
  /**
   * Label of unlabelled pixels (CamVid's void 11, VOC's 255): these pixels add nothing to the
   * loss, whatever is predicted there, and do not count in its mean. Default: none (every label
   * must be a class).
   */
  ignoreIndex?: number;
  /**
   * One non-negative weight per class (length C of the last axis of `yPred`), e.g. median
   * frequency weights. Default: all 1.
   */
  classWeights?: readonly number[];
  /**
   * Check that every label is a class index or the ignore index (default true). The check reads
   * one count back to the CPU, which a compiled training step (one TensorFlow graph a batch)
   * cannot do: turn it off where the masks were checked when read, as the toolkit's readers do.
   */
  checkLabels?: boolean;
}

/** The pieces the sparse losses are computed from (all inside the caller's `tf.tidy`). */
export interface SparseInputs {
  /** Predictions as `[P, C]` float32, P = pixels of the batch. */
  probabilities: tf.Tensor2D;
  /** Label of each pixel, `[P]` int32; ignored pixels hold 0 (their weight is 0). */
  labels: tf.Tensor1D;
  /** 1 for pixels that count, 0 for ignored ones, `[P]` float32. */
  valid: tf.Tensor1D;
  /** Class weights `[C]` (all ones when not given). */
  weights: tf.Tensor1D;
  /** Per-pixel weight: `valid * classWeights[label]`, `[P]`. */
  pixelWeights: tf.Tensor1D;
  numClasses: number;
  /** Images in the batch (N) and pixels per image (H * W). */
  images: number;
  pixelsPerImage: number;
}

/**
 * Checks shapes (`yTrue` `[N, H, W, 1]` or `[N, H, W]` against `yPred` `[N, H, W, C]`), options
 * and label values, and returns the flat pieces. Label values are checked with one small
 * reduction read back to the CPU: an out-of-range label would otherwise be silently trained as
 * some other class (Keras raises on such labels too). Call inside `tf.tidy`.
 */
export function sparseInputs(
  functionName: string,
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: SparseClassOptions,
): SparseInputs {
  const numClasses = yPred.shape[yPred.rank - 1]!;
  const leading = yPred.shape.slice(0, -1);
  const trueLeading = yTrue.rank === yPred.rank ? yTrue.shape.slice(0, -1) : yTrue.shape;
  const lastOk = yTrue.rank === yPred.rank - 1 || yTrue.shape[yTrue.rank - 1] === 1;
  const sameLeading =
    lastOk &&
    trueLeading.length === leading.length &&
    trueLeading.every((size, axis) => size === leading[axis]);
  if (yPred.rank < 2 || !sameLeading) {
    throw new Error(
      `${functionName}: yTrue has shape [${yTrue.shape}] and yPred [${yPred.shape}]; expected ` +
        'class indices [N, H, W, 1] (or [N, H, W]) with probabilities [N, H, W, C]',
    );
  }
  const { ignoreIndex } = options;
  if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) {
    throw new Error(`${functionName}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  }
  const weights = classWeightTensor(functionName, options.classWeights, numClasses);
  const images = yPred.shape[0]!;
  const pixels = leading.reduce((a, b) => a * b, 1);
  const raw = tf.reshape(yTrue.dtype === 'int32' ? yTrue : tf.round(yTrue), [
    pixels,
  ]) as tf.Tensor1D;
  const ignored =
    ignoreIndex === undefined ? tf.zerosLike(raw).asType('bool') : tf.equal(raw, ignoreIndex);
  if (options.checkLabels !== false)
    checkLabelValues(functionName, raw, ignored, numClasses, ignoreIndex);
  const valid = tf.cast(tf.logicalNot(ignored), 'float32') as tf.Tensor1D;
  const labels = tf.cast(tf.where(ignored, tf.zerosLike(raw), raw), 'int32') as tf.Tensor1D;
  const probabilities = tf.reshape(yPred.dtype === 'float32' ? yPred : tf.cast(yPred, 'float32'), [
    pixels,
    numClasses,
  ]) as tf.Tensor2D;
  return {
    probabilities,
    labels,
    valid,
    weights,
    pixelWeights: tf.mul(valid, tf.gather(weights, labels)) as tf.Tensor1D,
    numClasses,
    images,
    pixelsPerImage: pixels / Math.max(1, images),
  };
}

/** Each pixel's value at its true class: `values[p, labels[p]]` as `[P]`, without a one-hot. */
export function atLabels(values: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const [pixels, numClasses] = values.shape;
  // Integer scalars: a plain number would promote the indices to float32.
  const rowStart = tf.mul(tf.range(0, pixels, 1, 'int32'), tf.scalar(numClasses, 'int32'));
  const flatIndex = tf.add(rowStart, labels);
  return tf.gather(tf.reshape(values, [-1]), flatIndex) as tf.Tensor1D;
}

/** `sum / count`, 0 when `count` is 0 (a batch of only ignored pixels has no loss). */
export function meanOrZero(sum: tf.Scalar, count: tf.Scalar): tf.Scalar {
  return tf.where(
    tf.greater(count, 0),
    tf.div(sum, tf.maximum(count, 1e-12)),
    tf.scalar(0),
  ) as tf.Scalar;
}

/** Throws, naming a bad value, when a label is neither a class index nor the ignore index. */
function checkLabelValues(
  functionName: string,
  raw: tf.Tensor1D,
  ignored: tf.Tensor,
  numClasses: number,
  ignoreIndex: number | undefined,
): void {
  const outside = tf.logicalAnd(
    tf.logicalNot(ignored),
    tf.logicalOr(tf.less(raw, 0), tf.greaterEqual(raw, numClasses)),
  );
  const badCount = tf.sum(tf.cast(outside, 'int32')).dataSync()[0]!;
  if (badCount === 0) return;
  const bad = tf.max(tf.where(outside, tf.abs(raw), tf.zerosLike(raw))).dataSync()[0];
  throw new Error(
    `${functionName}: ${badCount} label(s) are not class indices 0..${numClasses - 1}` +
      `${ignoreIndex === undefined ? ' (no ignoreIndex set)' : ` nor the ignore index ${ignoreIndex}`}` +
      ` (e.g. ${bad}); yTrue must hold class indices, not one-hot vectors`,
  );
}
