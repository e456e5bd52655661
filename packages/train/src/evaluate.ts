import * as tf from '@tensorflow/tfjs';
import type { RasterImage } from '@unet/data';
import { type Connectivity, type LabelImage, labelComponents } from './connected-components.js';
import { DSB_IOU_THRESHOLDS, instanceScore, toLabelImage } from './instance-score.js';
import {
  addCounts,
  type ConfusionCounts,
  confusionCounts,
  type SegmentationScores,
  scoresFromCounts,
} from './mask-scores.js';
import { type PredictImageOptions, predictProbability } from './predict-image.js';
import { channelOf } from './raster.js';

/** One evaluation sample at its original size. */
export interface EvaluateSample {
  name?: string;
  image: RasterImage;
  /** True mask (1 channel, foreground > 0.5), same width and height as the image. */
  mask: RasterImage;
  /**
   * True instances as a label map (0 = background, one id per object, e.g. the DSB2018 per-nucleus
   * masks). Without it the true instances are the connected components of `mask`.
   */
  instances?: Int32Array | LabelImage;
}

/** Options shared by {@link evaluate} and {@link evaluateMasks}. */
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

/** Options of {@link evaluate}: a model and samples (original size) or tensors (model size). */
export type EvaluateOptions = EvaluationOptions &
  PredictImageOptions & {
    model: tf.LayersModel;
    /** Called after each image (e.g. progress). */
    onImage?: (score: ImageEvaluation) => void;
  } & (
    | { samples: Iterable<EvaluateSample> | AsyncIterable<EvaluateSample> }
    | {
        /** Images NHWC as fed to the model. */
        x: tf.Tensor4D;
        /** Masks NHW1 at the model's output size. */
        y: tf.Tensor4D;
        /** Images per `model.predict` call. Default 8. */
        batchSize?: number;
      }
  );

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

/** Result of {@link evaluate} / {@link evaluateMasks}. */
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
function scoreOne(
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

function summarize(
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
  return summarize(
    list.map((pair, i) => scoreOne(pair, i, { threshold, instances, connectivity })),
    threshold,
    instances,
  );
}

async function* tensorPairs(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  batchSize: number,
): AsyncGenerator<MaskPair> {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new Error(`evaluate: x has ${n} images, y has ${y.shape[0]} masks`);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [pred, truth] = tf.tidy(() => {
      const out = model.predict(x.slice(start, size));
      return [Array.isArray(out) ? out[0]! : out, y.slice(start, size)];
    });
    const [pData, tData] = await Promise.all([pred.data(), truth.data()]);
    const [, ph, pw, pc] = pred.shape;
    const [, th, tw, tc] = truth.shape;
    tf.dispose([pred, truth]);
    for (let i = 0; i < size; i++) {
      const pSize = ph! * pw! * pc!;
      const tSize = th! * tw! * (tc ?? 1);
      yield {
        name: String(start + i),
        predicted: {
          data: pData.slice(i * pSize, (i + 1) * pSize) as Float32Array,
          width: pw!,
          height: ph!,
          channels: pc!,
        },
        truth: {
          data: tData.slice(i * tSize, (i + 1) * tSize) as Float32Array,
          width: tw!,
          height: th!,
          channels: tc ?? 1,
        },
      };
    }
  }
}

/**
 * Evaluates a model. With `samples`, every image is predicted at its original size (as
 * {@link predict} does) and compared with its full-size mask; with `x`/`y` tensors the comparison
 * is at the model's size. Returns Dice, IoU, precision and recall per image, pooled over all
 * pixels (`overall`) and averaged over images (`mean`), and with instance scoring the DSB2018
 * score (`meanAveragePrecision`).
 *
 * @example
 * ```ts
 * const report = await evaluate({ model, samples: testSamples, instances: true });
 * console.log(report.overall.dice, report.meanAveragePrecision);
 * ```
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const threshold = options.threshold ?? 0.5;
  const connectivity = options.connectivity ?? 8;
  const perImage: ImageEvaluation[] = [];
  let instances = options.instances;
  const pairs: AsyncIterable<MaskPair> | Iterable<MaskPair> =
    'samples' in options
      ? (async function* () {
          for await (const sample of options.samples) {
            const predicted = await predictProbability(options.model, sample.image, options);
            yield { name: sample.name, predicted, truth: sample.mask, instances: sample.instances };
          }
        })()
      : tensorPairs(options.model, options.x, options.y, options.batchSize ?? 8);
  for await (const pair of pairs) {
    // Without an explicit choice, instance scoring follows the first sample.
    instances ??= pair.instances !== undefined;
    const score = scoreOne(pair, perImage.length, { threshold, connectivity, instances });
    options.onImage?.(score);
    perImage.push(score);
  }
  return summarize(perImage, threshold, instances ?? false);
}
