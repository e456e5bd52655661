import type * as tf from '@tensorflow/tfjs';

/**
 * A loss or metric: `(yTrue, yPred, options?) => tf.Scalar`.
 *
 * - Binary mode: `yTrue` and `yPred` are `[N, H, W, 1]`, `yTrue` in {0, 1}, `yPred` a sigmoid
 *   probability in [0, 1].
 * - Multi-class mode: `[N, H, W, C]`, `yTrue` one-hot, `yPred` a softmax over the last axis.
 *
 * It can be passed straight to `model.compile({ loss, metrics })` (tfjs calls it with two
 * arguments, so the options keep their defaults there).
 */
export type LossFunction<Options = never> = (
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options?: Options,
) => tf.Scalar;

/** A metric has the same shape as a loss; higher is better for every metric in this package. */
export type MetricFunction<Options = never> = LossFunction<Options>;

/** Options of the overlap scores (Dice, IoU, Tversky) and the losses built on them. */
export interface OverlapOptions {
  /**
   * Added to numerator and denominator: `(2*sum(t*p) + smooth) / (sum(t) + sum(p) + smooth)`.
   * Keeps the score defined (= 1) for an empty mask predicted empty. Default 1, as in the
   * articles.
   */
  smooth?: number;
  /**
   * `false` (default): one score from sums over the whole batch (the articles' Keras code).
   * `true`: one score per image (sums over H, W, C), then their mean, so small objects in one
   * image are not drowned out by large ones in another.
   */
  perImage?: boolean;
}

/** Options of the metrics that can turn soft predictions into hard 0/1 masks first. */
export interface ThresholdOptions {
  /**
   * Predictions `> threshold` count as 1, others as 0. For Dice and IoU the default is none
   * (soft score on the probabilities); precision and recall default to 0.5 like Keras's
   * `Precision(thresholds=0.5)` / `Recall(thresholds=0.5)`.
   */
  threshold?: number;
}

/** Options of the Dice and IoU metrics. */
export interface OverlapMetricOptions extends OverlapOptions, ThresholdOptions {}

/** Options of precision and recall. */
export interface ConfusionMetricOptions extends ThresholdOptions {
  /** `true`: precision (recall) of each image, then their mean. Default `false` (whole batch). */
  perImage?: boolean;
}

/** Options of the losses and metrics that weight classes (multi-class mode). */
export interface ClassWeightOptions {
  /** One non-negative weight per class (length C of the last axis). Default: all 1. */
  classWeights?: readonly number[];
}
