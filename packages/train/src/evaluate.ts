import * as tf from '@tensorflow/tfjs';
import {
  type EvaluationOptions,
  type EvaluationReport,
  type ImageEvaluation,
  type LabelImage,
  type MaskPair,
  type PredictImageOptions,
  type PredictModel,
  predictProbability,
  type RasterImage,
  scoreMaskPair,
  summarizeScores,
} from '@unet/infer';
import { defaultLog } from './callbacks/stateful.js';
import { type CompileMode, predictRunner } from './compiled-predict.js';

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

/** Options of {@link evaluate}: a model and samples (original size) or tensors (model size). */
export type EvaluateOptions = EvaluationOptions &
  PredictImageOptions & {
    model: tf.LayersModel;
    /**
     * Predict through one compiled TensorFlow graph per input shape (tensorflow backend; see
     * `compilePredict` of @unet/runtime): `'fp32'`, `'bf16'`, or `'auto'` (`resolveCompileMode`:
     * bf16 or fp32 on tensorflow, off elsewhere). Default `'off'` (eager).
     */
    compile?: CompileMode;
    /** Where the compiled prediction's one line goes when it falls back to eager. */
    log?: (line: string) => void;
    /** Called after each image (e.g. progress). */
    onImage?: (score: ImageEvaluation) => void;
    /**
     * Called with each prediction (the probability at the true mask's size) and its truth before
     * it is scored, and awaited (e.g. more scores from the probability: instance splitting).
     */
    onPrediction?: (pair: MaskPair, index: number) => void | Promise<void>;
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

async function* tensorPairs(
  model: PredictModel,
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
  const runner = predictRunner(options.model, options.compile, {
    // Tensors are fed at the model's size; samples run whole unless tiled.
    tiled: !('samples' in options) || Boolean(options.tile),
    log: options.log ?? defaultLog,
  });
  try {
    const model = runner.model;
    const pairs: AsyncIterable<MaskPair> | Iterable<MaskPair> =
      'samples' in options
        ? (async function* () {
            for await (const sample of options.samples) {
              const predicted = await predictProbability(model, sample.image, options);
              yield {
                name: sample.name,
                predicted,
                truth: sample.mask,
                instances: sample.instances,
              };
            }
          })()
        : tensorPairs(model, options.x, options.y, options.batchSize ?? 8);
    for await (const pair of pairs) {
      // Without an explicit choice, instance scoring follows the first sample.
      instances ??= pair.instances !== undefined;
      await options.onPrediction?.(pair, perImage.length);
      const score = scoreMaskPair(pair, perImage.length, { threshold, connectivity, instances });
      options.onImage?.(score);
      perImage.push(score);
    }
  } finally {
    runner.dispose();
  }
  return summarizeScores(perImage, threshold, instances ?? false);
}
