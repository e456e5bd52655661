/**
 * The Data Science Bowl 2018 score of one image: mean average precision of object instances
 * over IoU thresholds 0.5, 0.55, ..., 0.95.
 *
 * At threshold t a predicted object and a true object match when their IoU is strictly greater
 * than t (for t >= 0.5 an object can match at most one other). Then TP = true objects with a
 * match, FP = predicted objects without one, FN = true objects without one, and
 * precision(t) = TP / (TP + FP + FN). The image score is the mean of precision(t) over the ten
 * thresholds; the competition score is the mean of the image scores. When an image has no true
 * and no predicted objects every precision(t) is 1 (nothing to find, nothing invented).
 */
import { type Connectivity, type LabelImage, labelComponents } from './connected-components.js';

/** The ten IoU thresholds 0.50, 0.55, ..., 0.95 of the DSB2018 metric. */
export const DSB_IOU_THRESHOLDS: readonly number[] = Array.from(
  { length: 10 },
  (_, i) => (50 + 5 * i) / 100,
);

/** Matching counts at one IoU threshold. */
export interface ThresholdCounts {
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  /** TP / (TP + FP + FN); 1 when all three are 0. */
  precision: number;
}

/** Result of {@link instanceScore}. */
export interface InstanceScore {
  /** Mean of `precision` over the thresholds: the image's DSB2018 score. */
  averagePrecision: number;
  byThreshold: ThresholdCounts[];
  trueCount: number;
  predictedCount: number;
  /** For each true object (label - 1): best IoU with any predicted object (0 when none). */
  bestIoU: number[];
}

/**
 * IoU of every overlapping (true, predicted) object pair of two label maps of equal size.
 * @returns the pairs with non-zero intersection.
 */
export function instanceOverlaps(
  truth: LabelImage,
  predicted: LabelImage,
): { trueLabel: number; predictedLabel: number; iou: number }[] {
  if (truth.labels.length !== predicted.labels.length) {
    throw new Error(
      `label maps differ in size: ${truth.width}x${truth.height} vs ${predicted.width}x${predicted.height}`,
    );
  }
  const trueArea = new Float64Array(truth.count + 1);
  const predArea = new Float64Array(predicted.count + 1);
  const intersections = new Map<number, number>();
  const stride = predicted.count + 1;
  for (let i = 0; i < truth.labels.length; i++) {
    const t = truth.labels[i]!;
    const p = predicted.labels[i]!;
    trueArea[t]! += 1;
    predArea[p]! += 1;
    if (t > 0 && p > 0) {
      const key = t * stride + p;
      intersections.set(key, (intersections.get(key) ?? 0) + 1);
    }
  }
  const pairs: { trueLabel: number; predictedLabel: number; iou: number }[] = [];
  for (const [key, inter] of intersections) {
    const t = Math.floor(key / stride);
    const p = key % stride;
    pairs.push({
      trueLabel: t,
      predictedLabel: p,
      iou: inter / (trueArea[t]! + predArea[p]! - inter),
    });
  }
  return pairs;
}

/**
 * DSB2018 average precision of one image from true and predicted instance label maps (see the
 * module comment for the exact definition).
 */
export function instanceScore(
  truth: LabelImage,
  predicted: LabelImage,
  thresholds: readonly number[] = DSB_IOU_THRESHOLDS,
): InstanceScore {
  const pairs = instanceOverlaps(truth, predicted);
  const bestIoU = new Array<number>(truth.count).fill(0);
  for (const { trueLabel, iou } of pairs) {
    bestIoU[trueLabel - 1] = Math.max(bestIoU[trueLabel - 1]!, iou);
  }
  const byThreshold = thresholds.map((threshold) => {
    const trueMatches = new Int32Array(truth.count + 1);
    const predMatches = new Int32Array(predicted.count + 1);
    for (const { trueLabel, predictedLabel, iou } of pairs) {
      if (iou > threshold) {
        trueMatches[trueLabel]! += 1;
        predMatches[predictedLabel]! += 1;
      }
    }
    let tp = 0;
    let fn = 0;
    for (let t = 1; t <= truth.count; t++) {
      if (trueMatches[t] === 1) tp += 1;
      else if (trueMatches[t] === 0) fn += 1;
    }
    let fp = 0;
    for (let p = 1; p <= predicted.count; p++) if (predMatches[p] === 0) fp += 1;
    const total = tp + fp + fn;
    return { threshold, tp, fp, fn, precision: total === 0 ? 1 : tp / total };
  });
  const averagePrecision =
    byThreshold.reduce((sum, c) => sum + c.precision, 0) / Math.max(1, byThreshold.length);
  return {
    averagePrecision,
    byThreshold,
    trueCount: truth.count,
    predictedCount: predicted.count,
    bestIoU,
  };
}

/**
 * DSB2018 score of one image from a predicted binary mask (instances = its connected
 * components) and the true instances (a label map, or a binary mask whose connected components
 * are taken, which merges touching nuclei).
 */
export function maskInstanceScore(
  predictedMask: ArrayLike<number>,
  truth: LabelImage | ArrayLike<number>,
  width: number,
  height: number,
  options: { connectivity?: Connectivity; threshold?: number } = {},
): InstanceScore {
  const predicted = labelComponents(predictedMask, width, height, options);
  const trueLabels = isLabelImage(truth)
    ? truth
    : labelComponents(truth, width, height, { connectivity: options.connectivity });
  return instanceScore(trueLabels, predicted);
}

function isLabelImage(value: unknown): value is LabelImage {
  return (value as LabelImage).labels instanceof Int32Array;
}

/**
 * Turns a label map given as values (e.g. Int32Array of instance ids, 0 = background, ids need
 * not be consecutive) into a {@link LabelImage} with labels 1..count.
 */
export function toLabelImage(ids: ArrayLike<number>, width: number, height: number): LabelImage {
  if (ids.length !== width * height) {
    throw new Error(`label map has ${ids.length} values, expected ${width}*${height}`);
  }
  const map = new Map<number, number>();
  const labels = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === 0) continue;
    let label = map.get(id);
    if (label === undefined) {
      label = map.size + 1;
      map.set(id, label);
    }
    labels[i] = label;
  }
  return { labels, width, height, count: map.size };
}
