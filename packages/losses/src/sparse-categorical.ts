import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH, EPSILON } from './soft-scores.js';
import { atLabels, meanOrZero, type SparseClassOptions, sparseInputs } from './sparse-inputs.js';
import type { OverlapOptions } from './types.js';
import { checkNonNegative, checkUnitInterval } from './validate.js';

/**
 * Multi-class losses on class-index masks: `yTrue` `[N, H, W, 1]` holds the class of each pixel
 * (or the ignore index), `yPred` `[N, H, W, C]` the softmax. Pixels whose label is `ignoreIndex`
 * contribute nothing, whatever is predicted there; `classWeights` scale each pixel by the
 * weight of its true class (Keras's `sample_weight`). Means run over the non-ignored pixels.
 */

/**
 * Sparse categorical cross-entropy, as Keras's
 * `SparseCategoricalCrossentropy(ignore_class=ignoreIndex)(t, p, sample_weight=w[t])`:
 * `CE = sum over counted pixels of w[t] * -log(p'_t) / (counted pixels)` with
 * `p' = clip(p, 1e-7, 1 - 1e-7)` renormalized over the classes. 0 when every pixel is ignored.
 */
export function sparseCategoricalCrossentropy(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: SparseClassOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const s = sparseInputs('sparseCategoricalCrossentropy', yTrue, yPred, options);
    // Keras takes log(clip(p)) as logits of a softmax: -log(p'_t) = logsumexp(log p) - log p_t.
    const logP = tf.log(tf.clipByValue(s.probabilities, EPSILON, 1 - EPSILON)) as tf.Tensor2D;
    const perPixel = tf.sub(tf.logSumExp(logP, -1), atLabels(logP, s.labels));
    return meanOrZero(tf.sum(tf.mul(perPixel, s.pixelWeights)), tf.sum(s.valid));
  });
}

/** Options of {@link sparseCategoricalDiceLoss}. */
export interface SparseDiceOptions extends SparseClassOptions, OverlapOptions {}

/**
 * Multi-class soft Dice loss on class-index masks: {@link categoricalDiceLoss} of the one-hot
 * masks with the ignored pixels removed (from the truth and from the predictions):
 * `Dice_c = (2 * sum(t_c * p_c) + smooth) / (sum(t_c) + sum(p_c) + smooth)` over counted pixels
 * of the batch (or of each image when `perImage`, then the mean over images), and
 * `loss = 1 - sum_c(w_c * Dice_c) / sum_c(w_c)`.
 */
export function sparseCategoricalDiceLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: SparseDiceOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const s = sparseInputs('sparseCategoricalDiceLoss', yTrue, yPred, options);
    const smooth = options.smooth ?? DEFAULT_SMOOTH;
    checkNonNegative('sparseCategoricalDiceLoss', 'smooth', smooth);
    const groups = options.perImage ? s.images : 1;
    const C = s.numClasses;
    // Segment id of a pixel: (its image if perImage, else 0) * C + its label.
    const int = (value: number) => tf.scalar(value, 'int32'); // numbers would promote to float
    const pixelIndex = tf.range(0, s.labels.shape[0], 1, 'int32');
    const image = tf.floorDiv(pixelIndex, int(s.pixelsPerImage));
    const segment: tf.Tensor1D = options.perImage
      ? tf.add(tf.mul(image, int(C)), s.labels)
      : s.labels;
    const truthTimesPred = tf.mul(atLabels(s.probabilities, s.labels), s.valid);
    const intersection = tf.reshape(tf.unsortedSegmentSum(truthTimesPred, segment, groups * C), [
      groups,
      C,
    ]);
    const truthSum = tf.reshape(tf.unsortedSegmentSum(s.valid, segment, groups * C), [groups, C]);
    const counted = tf.mul(s.probabilities, tf.expandDims(s.valid, -1));
    const predSum = tf.sum(tf.reshape(counted, [groups, -1, C]), 1);
    const dice = tf.div(
      tf.add(tf.mul(intersection, 2), smooth),
      tf.add(tf.add(truthSum, predSum), smooth),
    );
    const weighted = tf.div(tf.sum(tf.mul(dice, s.weights), -1), tf.sum(s.weights));
    return tf.sub(1, tf.mean(weighted));
  });
}

/** Options of {@link sparseCategoricalFocalLoss}. */
export interface SparseFocalOptions extends SparseClassOptions {
  /** Focusing parameter (default 2). */
  gamma?: number;
  /** Overall factor, Keras's `CategoricalFocalCrossentropy(alpha=...)` (default 0.25, as Keras). */
  alpha?: number;
}

/**
 * Multi-class focal loss (Lin et al. 2017) on class-index masks, as Keras's
 * `CategoricalFocalCrossentropy(alpha, gamma)` of the one-hot masks over the counted pixels with
 * `sample_weight = w[t]`: `FL = mean over counted pixels of w[t] * alpha * (1 - p'_t)^gamma *
 * -log(p'_t)`, `p' = clip(p / sum_c(p_c), 1e-7, 1 - 1e-7)`.
 */
export function sparseCategoricalFocalLoss(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: SparseFocalOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const s = sparseInputs('sparseCategoricalFocalLoss', yTrue, yPred, options);
    const gamma = options.gamma ?? 2;
    const alpha = options.alpha ?? 0.25;
    checkNonNegative('sparseCategoricalFocalLoss', 'gamma', gamma);
    checkUnitInterval('sparseCategoricalFocalLoss', 'alpha', alpha);
    const normalized = tf.div(s.probabilities, tf.sum(s.probabilities, -1, true)) as tf.Tensor2D;
    const pT = atLabels(tf.clipByValue(normalized, EPSILON, 1 - EPSILON) as tf.Tensor2D, s.labels);
    const perPixel = tf.mul(tf.mul(tf.pow(tf.sub(1, pT), gamma), tf.neg(tf.log(pT))), alpha);
    return meanOrZero(tf.sum(tf.mul(perPixel, s.pixelWeights)), tf.sum(s.valid));
  });
}
