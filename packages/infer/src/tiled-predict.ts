import * as tf from '@tensorflow/tfjs';
import { fixedInputSize, type PredictModel } from './predict-model.js';
import { cropReflect, type RasterImage } from './raster.js';
import { TileBlender, type TileOutputs } from './tile-blend.js';
import { planTiledPrediction, type TiledPredictionPlan, type TileOptions } from './tile-plan.js';

function checkChannels(model: PredictModel, image: RasterImage): number {
  const { channels } = fixedInputSize(model);
  if (image.channels !== channels) {
    throw new Error(`the model takes ${channels}-channel images, this one has ${image.channels}`);
  }
  return channels;
}

/**
 * Runs the model on tiles `start .. end - 1` of `plan` (from {@link planTiledPrediction}), in
 * `plan.batchSize` tiles per call counted from `start`. With `start` a multiple of the batch size
 * the model sees exactly the batches `predictTiled` gives it, so tiles predicted in separate
 * pieces (e.g. on separate machines) and blended with `TileBlender` equal `predictTiled`'s output
 * bit for bit.
 */
export async function predictTiles(
  model: PredictModel,
  image: RasterImage,
  plan: TiledPredictionPlan,
  start: number,
  end: number,
): Promise<TileOutputs> {
  const channels = checkChannels(model, image);
  const { tileWidth, tileHeight, batchSize } = plan;
  if (image.width !== plan.width || image.height !== plan.height) {
    throw new Error(
      `the tile plan is for a ${plan.width}x${plan.height} image, this one is ${image.width}x${image.height}`,
    );
  }
  if (!(start >= 0 && start < end && end <= plan.origins.length)) {
    throw new Error(`tiles ${start}..${end - 1} are not within the plan's ${plan.origins.length}`);
  }
  const tilePixels = tileWidth * tileHeight;
  let data: Float32Array | null = null;
  let outChannels = 0;
  for (let first = start; first < end; first += batchSize) {
    const batch = plan.origins.slice(first, Math.min(first + batchSize, end));
    const input = new Float32Array(batch.length * tilePixels * channels);
    batch.forEach((o, k) => {
      cropReflect(image, o.x, o.y, tileWidth, tileHeight, input, k * tilePixels * channels);
    });
    const output = tf.tidy(() => {
      const result = model.predict(
        tf.tensor4d(input, [batch.length, tileHeight, tileWidth, channels]),
      );
      return Array.isArray(result) ? result[0]! : result;
    });
    const [, oh, ow, oc] = output.shape;
    const values = (await output.data()) as Float32Array;
    output.dispose();
    if (oh !== tileHeight || ow !== tileWidth || oc === undefined) {
      throw new Error(
        `tiled prediction needs an output the size of the input; the model maps ${tileHeight}x${tileWidth} to [${output.shape}]`,
      );
    }
    if (data === null) {
      outChannels = oc;
      data = new Float32Array((end - start) * tilePixels * oc);
    }
    data.set(values, (first - start) * tilePixels * outChannels);
  }
  return { start, count: end - start, channels: outChannels, data: data! };
}

/**
 * Predicts a large image at full resolution with overlapping tiles, blended linearly in the
 * overlaps (no seams, and away from tile borders exactly the whole-image prediction of a fully
 * convolutional model). Memory is bounded by `batchSize` tiles plus the output, so a 4000x5000
 * X-ray runs without resizing. Returns the model output (all its channels) at the image's size.
 * The pieces ({@link planTiledPrediction}, {@link predictTiles}, `TileBlender`) let tiles be
 * predicted elsewhere and stitched to the same result.
 *
 * @example
 * ```ts
 * const probability = await predictTiled(model, xray, { tileSize: 512, overlap: 64 });
 * ```
 */
export async function predictTiled(
  model: PredictModel,
  image: RasterImage,
  options: TileOptions = {},
): Promise<RasterImage> {
  checkChannels(model, image);
  const plan = planTiledPrediction(model, image.width, image.height, options);
  const blender = new TileBlender(plan);
  const total = plan.origins.length;
  for (let start = 0; start < total; start += plan.batchSize) {
    const end = Math.min(start + plan.batchSize, total);
    blender.add(await predictTiles(model, image, plan, start, end));
    await options.onProgress?.(end, total);
  }
  return blender.finish();
}
