import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { decodeImage, encodePng } from '@unet/data';
import {
  channelOf,
  fixedInputSize,
  type PredictImageOptions,
  predictProbability,
  type RasterImage,
  thresholdRaster,
} from '@unet/infer';
import { defaultLog } from './callbacks/stateful.js';
import { type CompileMode, predictRunner } from './compiled-predict.js';
import { writeOverlay } from './overlay.js';

/** One image to segment: a name (output file stem), the image and optionally its true mask. */
export interface PredictInput {
  name: string;
  image: RasterImage;
  /** True mask, shown in the overlay when given. */
  mask?: RasterImage;
}

/** Options of {@link predict}. */
export interface PredictOptions extends PredictImageOptions {
  model: tf.LayersModel;
  /** Images, or image file paths (decoded with the model's channel count; name = file stem). */
  inputs: Iterable<PredictInput | string> | AsyncIterable<PredictInput | string>;
  /** A pixel is foreground when its probability is > threshold. Default 0.5. */
  threshold?: number;
  /** Writes `<outDir>/masks/<name>.png` (0 / 255) for every image. */
  outDir?: string;
  /** Also writes `<outDir>/overlays/<name>.png` (image | true mask | predicted mask). */
  overlays?: boolean;
  /**
   * Keep the masks in the returned results. Default true; set false for many large images and
   * use `onResult` / the written files instead.
   */
  keepMasks?: boolean;
  /** Keep the probability map in the results (memory: 4 bytes per pixel). Default false. */
  keepProbabilities?: boolean;
  /**
   * Called after each image (e.g. progress, or more outputs from the mask and probability, which
   * it always receives) and awaited before the next image.
   */
  onResult?: (
    result: PredictResult & { mask: RasterImage; probability: RasterImage },
    index: number,
  ) => void | Promise<void>;
  /**
   * Predict through one compiled TensorFlow graph per input shape (tensorflow backend; see
   * `compilePredict` of @unet/runtime): `'fp32'`, `'bf16'`, or `'auto'` (`resolveCompileMode`:
   * bf16 or fp32 on tensorflow, off elsewhere). Default `'off'` (eager).
   */
  compile?: CompileMode;
  /** Where the compiled prediction's one line goes when it falls back to eager. */
  log?: (line: string) => void;
}

/** Segmentation of one image, at its original size. */
export interface PredictResult {
  name: string;
  /** Binary mask, 1 channel, values 0 / 1, the input's width and height (unless `keepMasks: false`). */
  mask?: RasterImage;
  /**
   * Foreground probability, when `keepProbabilities` (and always in `onResult`); with `channel:
   * 'instances'` the 3 channels (foreground, interior, boundary).
   */
  probability?: RasterImage;
  /** Written mask PNG, when `outDir`. */
  maskFile?: string;
  /** Written overlay PNG, when `overlays`. */
  overlayFile?: string;
}

function stem(file: string): string {
  return path.basename(file, path.extname(file));
}

/**
 * Segments images at their original size: each image is run through the model (resized to its
 * input and back, or tiled at full resolution with `tile`), thresholded, and optionally written as
 * a PNG mask and an overlay. Images are processed one at a time (only the results are kept).
 *
 * @example
 * ```ts
 * const results = await predict({ model, inputs: ['a.png', 'b.png'], outDir: 'out', overlays: true });
 * ```
 */
export async function predict(options: PredictOptions): Promise<PredictResult[]> {
  const { model, outDir } = options;
  const threshold = options.threshold ?? 0.5;
  if (options.overlays && outDir === undefined) {
    throw new Error('predict: overlays are written into outDir; pass outDir');
  }
  const channels = fixedInputSize(model).channels;
  const seen = new Set<string>();
  const results: PredictResult[] = [];
  let index = 0;
  const runner = predictRunner(model, options.compile, {
    tiled: Boolean(options.tile),
    log: options.log ?? defaultLog,
  });
  try {
    for await (const entry of options.inputs) {
      const input: PredictInput =
        typeof entry === 'string'
          ? {
              name: stem(entry),
              image: await decodeImage(entry, { channels: channels === 1 ? 1 : 3 }),
            }
          : entry;
      if (seen.has(input.name)) {
        throw new Error(
          `predict: two inputs are named '${input.name}'; output files would collide`,
        );
      }
      seen.add(input.name);
      const probability = await predictProbability(runner.model, input.image, options);
      // Channel 0 is the foreground (also of `channel: 'instances'`, which keeps 3 channels).
      const mask = thresholdRaster(channelOf(probability, 0), threshold);
      const result: PredictResult = { name: input.name, mask };
      if (options.keepProbabilities) result.probability = probability;
      if (outDir !== undefined) {
        result.maskFile = path.join(outDir, 'masks', `${input.name}.png`);
        await encodePng(result.maskFile, mask);
        if (options.overlays) {
          result.overlayFile = path.join(outDir, 'overlays', `${input.name}.png`);
          await writeOverlay(result.overlayFile, input.image, mask, input.mask);
        }
      }
      await options.onResult?.({ ...result, mask, probability }, index);
      if (options.keepMasks === false) delete result.mask;
      results.push(result);
      index += 1;
    }
  } finally {
    runner.dispose();
  }
  return results;
}
