import * as tf from '@tensorflow/tfjs';
import { cropReflect, type RasterImage } from './raster.js';

/**
 * What prediction needs of a model: its input shape and `predict`. A `tf.LayersModel` is one; so
 * is a wrapper that runs the same model another way (e.g. `{ inputs: model.inputs, predict: (x)
 * => compiled.predict(x) }` for a compiled graph), which keeps this package backend-agnostic.
 */
export interface PredictModel {
  readonly inputs: readonly { readonly shape: readonly (number | null)[] }[];
  /** The model's output for an NHWC batch (the first output is used when several). */
  predict(x: tf.Tensor): tf.Tensor | tf.Tensor[];
}

/** Options of {@link predictTiled}. */
export interface TileOptions {
  /**
   * Tile size in pixels, square or `[height, width]`. Default: the model's input size when it is
   * fixed, else 256. Must suit the model (a U-Net of depth d needs multiples of 2^d).
   */
  tileSize?: number | [number, number];
  /** Pixels shared by neighbouring tiles (blended). Default: a quarter of the tile. */
  overlap?: number;
  /**
   * Tile origins are multiples of this many pixels, so a network with pooling sees every tile on
   * the same pixel grid as the whole image (2^depth for a U-Net). Default: the largest power of
   * two up to 32 that divides the tile size.
   */
  align?: number;
  /** Tiles per `model.predict` call. Default 4. */
  batchSize?: number;
  /**
   * Called after each batch with the tiles done and the total. Awaited, so a page can yield to
   * its event loop there (progress bar, responsive UI) between batches.
   */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** Where the tiles of an image go. */
export interface TilePlan {
  tileWidth: number;
  tileHeight: number;
  strideX: number;
  strideY: number;
  /** Tiles per row and per column. */
  columns: number;
  rows: number;
  /** Top-left corners (tiles reaching past the right/bottom edge read reflected pixels). */
  origins: { x: number; y: number }[];
}

function largestPowerOfTwoDividing(n: number, max = 32): number {
  let p = 1;
  while (p * 2 <= max && n % (p * 2) === 0) p *= 2;
  return p;
}

function axisStride(tile: number, overlap: number, align: number, axis: string): number {
  if (!(overlap >= 0 && overlap < tile)) {
    throw new Error(
      `tile overlap must be >= 0 and smaller than the tile (${tile}), got ${overlap}`,
    );
  }
  if (align > tile) throw new Error(`align ${align} is larger than the tile ${axis} ${tile}`);
  return Math.max(align, Math.floor((tile - overlap) / align) * align);
}

/**
 * Plans overlapping tiles over a `width` x `height` image: origins at multiples of the stride
 * (a multiple of `align`), enough tiles to cover the image; the last row and column reach past
 * the edge and are filled by reflection.
 */
export function planTiles(
  width: number,
  height: number,
  tileWidth: number,
  tileHeight: number,
  overlap: number,
  align = 1,
): TilePlan {
  const strideX = axisStride(tileWidth, overlap, align, 'width');
  const strideY = axisStride(tileHeight, overlap, align, 'height');
  const columns = width <= tileWidth ? 1 : Math.ceil((width - tileWidth) / strideX) + 1;
  const rows = height <= tileHeight ? 1 : Math.ceil((height - tileHeight) / strideY) + 1;
  const origins: { x: number; y: number }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) origins.push({ x: c * strideX, y: r * strideY });
  }
  return { tileWidth, tileHeight, strideX, strideY, columns, rows, origins };
}

/**
 * Blend weights along one axis for the tile at `index` of `count`: a linear ramp from ~0 to 1
 * across the part shared with the previous and the next tile, 1 elsewhere. Neighbouring ramps
 * sum to 1, so overlaps cross-fade and a pixel far from tile edges takes one tile's value.
 */
function axisWeights(tile: number, stride: number, index: number, count: number): Float32Array {
  const overlap = tile - stride;
  const w = new Float32Array(tile).fill(1);
  if (overlap <= 0) return w;
  for (let u = 0; u < tile; u++) {
    const left = index > 0 ? (u + 0.5) / overlap : 1;
    const right = index < count - 1 ? (tile - u - 0.5) / overlap : 1;
    w[u] = Math.max(1e-3, Math.min(1, left, right));
  }
  return w;
}

/** The model's NHWC input size (null for free dimensions) and channels. */
export function fixedInputSize(model: PredictModel): {
  height: number | null;
  width: number | null;
  channels: number;
} {
  const shape = model.inputs[0]!.shape;
  const channels = shape[3];
  if (shape.length !== 4 || channels == null) {
    throw new Error(`the model's input must be NHWC with a known channel count, got [${shape}]`);
  }
  return { height: shape[1] ?? null, width: shape[2] ?? null, channels };
}

function tileSizeFor(model: PredictModel, options: TileOptions): [number, number] {
  const fixed = fixedInputSize(model);
  const requested = options.tileSize;
  const [h, w] =
    requested === undefined
      ? [fixed.height ?? 256, fixed.width ?? 256]
      : typeof requested === 'number'
        ? [requested, requested]
        : requested;
  if (
    (fixed.height !== null && fixed.height !== h) ||
    (fixed.width !== null && fixed.width !== w)
  ) {
    throw new Error(
      `tileSize ${h}x${w} does not match the model's fixed input ${fixed.height}x${fixed.width}; omit tileSize to use it`,
    );
  }
  return [h, w];
}

/**
 * Predicts a large image at full resolution with overlapping tiles, blended linearly in the
 * overlaps (no seams, and away from tile borders exactly the whole-image prediction of a fully
 * convolutional model). Memory is bounded by `batchSize` tiles plus the output, so a 4000x5000
 * X-ray runs without resizing. Returns the model output (all its channels) at the image's size.
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
  const { channels } = fixedInputSize(model);
  if (image.channels !== channels) {
    throw new Error(`the model takes ${channels}-channel images, this one has ${image.channels}`);
  }
  const [tileHeight, tileWidth] = tileSizeFor(model, options);
  const overlap = options.overlap ?? Math.floor(Math.min(tileHeight, tileWidth) / 4);
  const align =
    options.align ??
    Math.min(largestPowerOfTwoDividing(tileWidth), largestPowerOfTwoDividing(tileHeight));
  const batchSize = options.batchSize ?? 4;
  const plan = planTiles(image.width, image.height, tileWidth, tileHeight, overlap, align);
  const { width, height } = image;
  const weightsX = Array.from({ length: plan.columns }, (_, i) =>
    axisWeights(tileWidth, plan.strideX, i, plan.columns),
  );
  const weightsY = Array.from({ length: plan.rows }, (_, i) =>
    axisWeights(tileHeight, plan.strideY, i, plan.rows),
  );
  const tilePixels = tileWidth * tileHeight;
  let outChannels = 0;
  let sum: Float32Array | null = null;
  const weightSum = new Float32Array(width * height);

  for (let start = 0; start < plan.origins.length; start += batchSize) {
    const batch = plan.origins.slice(start, start + batchSize);
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
    if (sum === null) {
      outChannels = oc;
      sum = new Float32Array(width * height * oc);
    }
    batch.forEach((o, k) => {
      const wx = weightsX[o.x / plan.strideX]!;
      const wy = weightsY[o.y / plan.strideY]!;
      const base = k * tilePixels * oc;
      for (let v = 0; v < tileHeight; v++) {
        const gy = o.y + v;
        if (gy >= height) break;
        for (let u = 0; u < tileWidth; u++) {
          const gx = o.x + u;
          if (gx >= width) break;
          const w = wy[v]! * wx[u]!;
          const g = gy * width + gx;
          weightSum[g] = weightSum[g]! + w;
          const s = base + (v * tileWidth + u) * oc;
          for (let c = 0; c < oc; c++) sum![g * oc + c] = sum![g * oc + c]! + w * values[s + c]!;
        }
      }
    });
    await options.onProgress?.(start + batch.length, plan.origins.length);
  }
  const out = sum!;
  for (let g = 0; g < weightSum.length; g++) {
    const w = weightSum[g]!;
    for (let c = 0; c < outChannels; c++) out[g * outChannels + c] = out[g * outChannels + c]! / w;
  }
  return { data: out, width, height, channels: outChannels };
}
