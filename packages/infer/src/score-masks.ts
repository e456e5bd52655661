import { type Connectivity, type LabelImage, labelComponents } from './connected-components.js';
import { DSB_IOU_THRESHOLDS, instanceScore, toLabelImage } from './instance-score.js';
import {
  addCounts,
  type ConfusionCounts,
  confusionCounts,
  type SegmentationScores,
  scoresFromCounts,
} from './mask-scores.js';
import { channelOf, type RasterImage } from './raster.js';

/** Options of {@link evaluateMasks} (and of `evaluate` in @unet/train). */
export interface EvaluationOptions {
  /** A pixel is predicted foreground when its probability is > threshold. Default 0.5. */
  threshold?: number;
  /**
   * Also compute the DSB2018 instance score (mean AP over IoU 0.5..0.95 of connected components).
   * Default: true when the samples carry `instances`, else false.
   */
  instances?: boolean;
  /** Connectivity of the connected components. Default 8. */
  connectivity?: Connectivity;
}

/** Scores of one image. */
export interface ImageEvaluation extends ConfusionCounts, SegmentationScores {
  index: number;
  name: string;
  /** DSB2018 score of the image (with instance scoring). */
  averagePrecision?: number;
  /** Precision at each of the IoU thresholds (with instance scoring). */
  precisionByThreshold?: number[];
  trueInstances?: number;
  predictedInstances?: number;
}

/** Result of {@link evaluateMasks} (and of `evaluate` in @unet/train). */
export interface EvaluationReport {
  threshold: number;
  images: number;
  /** Scores of the pixel counts pooled over all images ("micro" average). */
  overall: SegmentationScores & ConfusionCounts;
  /** Mean of the per-image scores ("macro" average). */
  mean: SegmentationScores;
  /** DSB2018 competition score: mean over images of the per-image AP (with instance scoring). */
  meanAveragePrecision?: number;
  /** The IoU thresholds of the instance score. */
  iouThresholds?: number[];
  perImage: ImageEvaluation[];
}

/** A predicted probability (or binary) map with its truth, for {@link evaluateMasks}. */
export interface MaskPair {
  name?: string;
  predicted: RasterImage;
  truth: RasterImage;
  instances?: Int32Array | LabelImage;
}

function toLabels(value: Int32Array | LabelImage, width: number, height: number): LabelImage {
  return value instanceof Int32Array ? toLabelImage(value, width, height) : value;
}

/** Scores one image (pixel scores, and the instance score when asked). */
export function scoreMaskPair(
  pair: MaskPair,
  index: number,
  options: Required<Pick<EvaluationOptions, 'threshold' | 'connectivity'>> & { instances: boolean },
): ImageEvaluation {
  const { predicted, truth } = pair;
  if (predicted.width !== truth.width || predicted.height !== truth.height) {
    throw new Error(
      `${pair.name ?? `image ${index}`}: prediction is ${predicted.width}x${predicted.height}, the true mask ${truth.width}x${truth.height}`,
    );
  }
  const p = channelOf(predicted, 0).data;
  const t = channelOf(truth, 0).data;
  const counts = confusionCounts(p, t, options.threshold);
  const result: ImageEvaluation = {
    index,
    name: pair.name ?? String(index),
    ...counts,
    ...scoresFromCounts(counts),
  };
  if (options.instances) {
    const { width, height } = truth;
    const predictedLabels = labelComponents(p, width, height, {
      connectivity: options.connectivity,
      threshold: options.threshold,
    });
    const trueLabels = pair.instances
      ? toLabels(pair.instances, width, height)
      : labelComponents(t, width, height, { connectivity: options.connectivity });
    const score = instanceScore(trueLabels, predictedLabels);
    result.averagePrecision = score.averagePrecision;
    result.precisionByThreshold = score.byThreshold.map((c) => c.precision);
    result.trueInstances = score.trueCount;
    result.predictedInstances = score.predictedCount;
  }
  return result;
}

export function summarizeScores(
  perImage: ImageEvaluation[],
  threshold: number,
  instances: boolean,
): EvaluationReport {
  if (perImage.length === 0) throw new Error('evaluate: no images to evaluate');
  const pooled = perImage.reduce<ConfusionCounts>((sum, s) => addCounts(sum, s), {
    tp: 0,
    fp: 0,
    fn: 0,
    tn: 0,
  });
  const mean = (key: keyof SegmentationScores) =>
    perImage.reduce((sum, s) => sum + s[key], 0) / perImage.length;
  const report: EvaluationReport = {
    threshold,
    images: perImage.length,
    overall: { ...pooled, ...scoresFromCounts(pooled) },
    mean: {
      dice: mean('dice'),
      iou: mean('iou'),
      precision: mean('precision'),
      recall: mean('recall'),
    },
    perImage,
  };
  if (instances) {
    report.meanAveragePrecision =
      perImage.reduce((sum, s) => sum + (s.averagePrecision ?? 0), 0) / perImage.length;
    report.iouThresholds = [...DSB_IOU_THRESHOLDS];
  }
  return report;
}

/**
 * Scores predicted masks (or probability maps) against true masks without a model: Dice, IoU,
 * precision, recall per image, pooled and averaged, and optionally the DSB2018 instance score.
 */
export function evaluateMasks(
  pairs: Iterable<MaskPair>,
  options: EvaluationOptions = {},
): EvaluationReport {
  const list = [...pairs];
  const threshold = options.threshold ?? 0.5;
  const instances = options.instances ?? list.some((p) => p.instances !== undefined);
  const connectivity = options.connectivity ?? 8;
  return summarizeScores(
    list.map((pair, i) => scoreMaskPair(pair, i, { threshold, instances, connectivity })),
    threshold,
    instances,
  );
}
