/**
 * Scores of multi-class segmentation over a whole set: a confusion matrix accumulated image by
 * image, and per-class IoU, Dice and recall, mean IoU and pixel accuracy read off it.
 *
 * Browser-safe on purpose (no Node built-ins, no tfjs): evaluation in an app or a worker counts
 * the same way as the CLI. Conventions follow the CamVid/SegNet evaluations: ignored ("void")
 * pixels are skipped entirely, and a class absent from both truth and prediction has no IoU and
 * is left out of the means (an empty class is neither right nor wrong).
 */

/** Options of {@link ConfusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Truth label of pixels to skip (e.g. CamVid's void 11, VOC's 255). Default: none. */
  ignoreIndex?: number;
}

/** Scores of one class. Ratios are `null` where their denominator is 0. */
export interface ClassScore {
  /** Class index. */
  index: number;
  /** Pixels of this class in the truth (TP + FN). */
  truePixels: number;
  /** Pixels predicted as this class, ignored pixels excluded (TP + FP). */
  predictedPixels: number;
  /** Pixels of this class predicted as this class (TP). */
  intersection: number;
  /** TP / (TP + FP + FN); `null` when the class is in neither truth nor prediction. */
  iou: number | null;
  /** 2TP / (2TP + FP + FN); `null` when the class is in neither truth nor prediction. */
  dice: number | null;
  /** TP / (TP + FN), the class accuracy; `null` when the class is not in the truth. */
  recall: number | null;
}

/** What a set scored, from {@link ConfusionMatrix.summary}. */
export interface ClassScoresSummary {
  /** Mean of the per-class IoUs that are defined; `null` before any pixel was counted. */
  meanIoU: number | null;
  /** Mean of the per-class Dice scores that are defined. */
  meanDice: number | null;
  /** Mean class accuracy (recall) over the classes present in the truth. */
  meanRecall: number | null;
  /** Correct pixels / counted pixels. */
  pixelAccuracy: number | null;
  /** Counted (non-ignored) pixels. */
  pixels: number;
  perClass: ClassScore[];
}

/**
 * Counts (truth, prediction) pairs of class indices over any number of images.
 *
 * @example
 * ```ts
 * const matrix = new ConfusionMatrix(11, { ignoreIndex: 11 });
 * for (const { truth, prediction } of images) matrix.add(truth, prediction);
 * matrix.meanIoU(); // CamVid's class-average IoU
 * ```
 */
export class ConfusionMatrix {
  readonly numClasses: number;
  readonly ignoreIndex: number | undefined;
  /** Row-major counts: `counts[truth * numClasses + predicted]`. Float64 so no count overflows. */
  readonly counts: Float64Array;

  constructor(numClasses: number, options: ConfusionMatrixOptions = {}) {
    if (!Number.isInteger(numClasses) || numClasses < 2) {
      throw new Error(
        `ConfusionMatrix: numClasses must be an integer >= 2 (binary masks are 2 classes: ` +
          `background and foreground), got ${numClasses}`,
      );
    }
    const { ignoreIndex } = options;
    if (ignoreIndex !== undefined && (!Number.isInteger(ignoreIndex) || ignoreIndex < numClasses)) {
      throw new Error(
        `ConfusionMatrix: ignoreIndex must be an integer >= numClasses (${numClasses}), got ${ignoreIndex}`,
      );
    }
    this.numClasses = numClasses;
    this.ignoreIndex = ignoreIndex;
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one image (or any batch of pixels): `truth` and `prediction` hold one class index per
   * pixel, in the same order. Truth pixels equal to the ignore index are skipped whatever was
   * predicted there. Returns `this`.
   * @throws when the lengths differ, a truth value is neither a class nor the ignore index, or a
   * predicted value is not a class (nothing is counted then).
   */
  add(truth: ArrayLike<number>, prediction: ArrayLike<number>): this {
    if (truth.length !== prediction.length) {
      throw new Error(
        `ConfusionMatrix.add: truth has ${truth.length} pixels but prediction has ${prediction.length}`,
      );
    }
    const k = this.numClasses;
    const ignore = this.ignoreIndex;
    // Counted into a scratch matrix first, so a bad value leaves this matrix unchanged.
    const added = new Float64Array(k * k);
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i]!;
      if (t === ignore) continue;
      const p = prediction[i]!;
      if (!(Number.isInteger(t) && t >= 0 && t < k)) {
        throw new Error(
          `ConfusionMatrix.add: truth pixel ${i} is ${t}, not a class 0..${k - 1}` +
            (ignore === undefined ? ' (no ignoreIndex set)' : ` nor the ignore index ${ignore}`),
        );
      }
      if (!(Number.isInteger(p) && p >= 0 && p < k)) {
        throw new Error(
          `ConfusionMatrix.add: predicted pixel ${i} is ${p}, not a class 0..${k - 1}`,
        );
      }
      added[t * k + p]!++;
    }
    for (let i = 0; i < added.length; i++) this.counts[i]! += added[i]!;
    return this;
  }

  /** Adds the counts of another matrix of the same classes (e.g. from another worker). */
  merge(other: ConfusionMatrix): this {
    if (other.numClasses !== this.numClasses || other.ignoreIndex !== this.ignoreIndex) {
      throw new Error('ConfusionMatrix.merge: the matrices have different classes or ignore index');
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    return this;
  }

  /** Pixels of true class `truth` predicted as `predicted`. */
  count(truth: number, predicted: number): number {
    return this.counts[truth * this.numClasses + predicted]!;
  }

  /** Counted (non-ignored) pixels. */
  get pixels(): number {
    let total = 0;
    for (const n of this.counts) total += n;
    return total;
  }

  /** Scores of every class, in class order. */
  perClass(): ClassScore[] {
    const k = this.numClasses;
    return Array.from({ length: k }, (_, c): ClassScore => {
      let truePixels = 0;
      let predictedPixels = 0;
      for (let j = 0; j < k; j++) {
        truePixels += this.count(c, j);
        predictedPixels += this.count(j, c);
      }
      const tp = this.count(c, c);
      const union = truePixels + predictedPixels - tp;
      return {
        index: c,
        truePixels,
        predictedPixels,
        intersection: tp,
        iou: union > 0 ? tp / union : null,
        dice: union > 0 ? (2 * tp) / (truePixels + predictedPixels) : null,
        recall: truePixels > 0 ? tp / truePixels : null,
      };
    });
  }

  /** Mean IoU over the classes present in truth or prediction; `null` when none is. */
  meanIoU(): number | null {
    return meanOfDefined(this.perClass().map((s) => s.iou));
  }

  /** Correct pixels / counted pixels; `null` before any pixel was counted. */
  pixelAccuracy(): number | null {
    const total = this.pixels;
    if (total === 0) return null;
    let correct = 0;
    for (let c = 0; c < this.numClasses; c++) correct += this.count(c, c);
    return correct / total;
  }

  /** All scores at once. */
  summary(): ClassScoresSummary {
    const perClass = this.perClass();
    return {
      meanIoU: meanOfDefined(perClass.map((s) => s.iou)),
      meanDice: meanOfDefined(perClass.map((s) => s.dice)),
      meanRecall: meanOfDefined(perClass.map((s) => s.recall)),
      pixelAccuracy: this.pixelAccuracy(),
      pixels: this.pixels,
      perClass,
    };
  }
}

function meanOfDefined(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}
