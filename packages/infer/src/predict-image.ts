import * as tf from '@tensorflow/tfjs';
import { instanceProbabilities } from './objects/instance-targets.js';
import { predictWithTta, type TtaTransforms } from './objects/tta.js';
import { fixedInputSize, type PredictModel } from './predict-model.js';
import { channelOf, cropReflect, type RasterImage, toChannels } from './raster.js';
import { resizeBilinear } from './resize.js';
import type { TileOptions } from './tile-plan.js';
import { predictTiled } from './tiled-predict.js';

/** How a model is run on one image (shared by `predict` and `evaluate`). */
export interface PredictImageOptions {
  /**
   * Size the image is resized to before the model, `[height, width]`. Default: the model's input
   * size when fixed; for models with free spatial dimensions the image runs at its own size,
   * reflect-padded to a multiple of `align`.
   */
  inputSize?: [number, number];
  /**
   * Run at full resolution with overlapping tiles instead of resizing (large images). `true`
   * uses the defaults of `TileOptions`.
   */
  tile?: boolean | TileOptions;
  /**
   * Output channel holding the foreground probability. Default 0. `'instances'`: the model is a
   * 3-class (background, interior, boundary) instance model; the result has the 3 channels of
   * `instanceProbabilities` (foreground = interior + boundary first, then interior, boundary).
   */
  channel?: number | 'instances';
  /** Padding multiple for free-size models run whole. Default 32. */
  align?: number;
  /**
   * Test-time augmentation: average the probabilities of the flipped (`'flips'`, 4 runs) or
   * flipped and rotated (`'d4'`, 8 runs) image, each mapped back (see `predictWithTta`); composes
   * with `tile`. Default `'none'` (one run).
   */
  tta?: TtaTransforms;
}

async function runWhole(model: PredictModel, image: RasterImage): Promise<RasterImage> {
  const output = tf.tidy(() => {
    const input = tf.tensor4d(image.data, [1, image.height, image.width, image.channels]);
    const result = model.predict(input);
    return Array.isArray(result) ? result[0]! : result;
  });
  const [, height, width, channels] = output.shape;
  const data = (await output.data()) as Float32Array;
  output.dispose();
  if (height === undefined || width === undefined || channels === undefined) {
    throw new Error(`the model output must be NHWC, got [${output.shape}]`);
  }
  return { data, width, height, channels };
}

function crop(image: RasterImage, width: number, height: number): RasterImage {
  if (image.width === width && image.height === height) return image;
  return { data: cropReflect(image, 0, 0, width, height), width, height, channels: image.channels };
}

/**
 * Runs `model` on one image and returns the foreground probability (1 channel; 3 with `channel:
 * 'instances'`) at the image's
 * original size: resized to the model's input and the output resized back (bilinear), or at full
 * resolution (tiled, or whole for free-size models). Images with another channel count than the
 * model's are converted (grey <-> RGB). `model` is a `tf.LayersModel` or any
 * {@link PredictModel} (e.g. a compiled forward pass with the model's `inputs`).
 */
export async function predictProbability(
  model: PredictModel,
  image: RasterImage,
  options: PredictImageOptions = {},
): Promise<RasterImage> {
  const tta = options.tta ?? 'none';
  if (tta !== 'none') {
    const once = { ...options, tta: 'none' as const };
    return predictWithTta((view) => predictProbability(model, view, once), image, {
      transforms: tta,
    });
  }
  const fixed = fixedInputSize(model);
  const input = toChannels(image, fixed.channels);
  const channel = options.channel ?? 0;
  const select = (output: RasterImage) =>
    channel === 'instances' ? instanceProbabilities(output) : channelOf(output, channel);
  if (options.tile) {
    const tileOptions = options.tile === true ? {} : options.tile;
    return select(await predictTiled(model, input, tileOptions));
  }
  const size =
    options.inputSize ??
    (fixed.height !== null && fixed.width !== null ? [fixed.height, fixed.width] : null);
  if (size === null) {
    const align = options.align ?? 32;
    const width = Math.ceil(input.width / align) * align;
    const height = Math.ceil(input.height / align) * align;
    const padded = crop(input, width, height);
    const output = select(await runWhole(model, padded));
    return crop(output, image.width, image.height);
  }
  const [height, width] = size;
  const resized = resizeBilinear(input, width, height);
  const output = select(await runWhole(model, resized));
  if (output.width !== width || output.height !== height) {
    throw new Error(
      `the model maps ${height}x${width} inputs to ${output.height}x${output.width} outputs; a segmentation model must keep the size`,
    );
  }
  return resizeBilinear(output, image.width, image.height);
}
