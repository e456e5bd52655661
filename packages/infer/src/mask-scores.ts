/**
 * Pixel-level scores of binary segmentation: Dice, IoU (Jaccard), precision, recall.
 *
 * Conventions for empty masks: when the denominator is 0 the score is 1 if nothing was wrong
 * (e.g. no true and no predicted foreground: Dice = IoU = precision = recall = 1), else 0.
 */

/** Pixel counts of a predicted mask against the true one. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Dice = 2TP/(2TP+FP+FN), IoU = TP/(TP+FP+FN), precision = TP/(TP+FP), recall = TP/(TP+FN). */
export interface SegmentationScores {
  dice: number;
  iou: number;
  precision: number;
  recall: number;
}

/**
 * Counts TP/FP/FN/TN pixels. A predicted pixel is foreground when > `threshold` (default 0.5),
 * a true pixel when > 0.5.
 */
export function confusionCounts(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  threshold = 0.5,
): ConfusionCounts {
  if (predicted.length !== truth.length) {
    throw new Error(`predicted mask has ${predicted.length} pixels, true mask ${truth.length}`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i]! > threshold;
    const t = truth[i]! > 0.5;
    if (p) {
      if (t) tp++;
      else fp++;
    } else if (t) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

function ratio(numerator: number, denominator: number, wrong: number): number {
  if (denominator > 0) return numerator / denominator;
  return wrong === 0 ? 1 : 0;
}

/** Scores from counts (see the module comment for empty masks). */
export function scoresFromCounts(c: ConfusionCounts): SegmentationScores {
  return {
    dice: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, c.fp + c.fn),
    iou: ratio(c.tp, c.tp + c.fp + c.fn, c.fp + c.fn),
    precision: ratio(c.tp, c.tp + c.fp, c.fn),
    recall: ratio(c.tp, c.tp + c.fn, c.fp),
  };
}

/** Sums counts (for pooled, "micro" scores over many images). */
export function addCounts(a: ConfusionCounts, b: ConfusionCounts): ConfusionCounts {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, tn: a.tn + b.tn };
}
