import { fixedInputSize, type PredictModel } from './predict-model.js';

/** Options of `predictTiled` and {@link planTiledPrediction}. */
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

/**
 * A {@link TilePlan} over one image with everything `predictTiled` resolves from the model and
 * its options: the image size and the tiles per `model.predict` call.
 */
export interface TiledPredictionPlan extends TilePlan {
  /** The image's size. */
  width: number;
  height: number;
  /** Tiles per `model.predict` call. */
  batchSize: number;
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

function tileSizeFor(model: Pick<PredictModel, 'inputs'>, options: TileOptions): [number, number] {
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
 * The tiles `predictTiled` runs over a `width` x `height` image with this model and options.
 * Only the model's input shape is read, so a planner that never loads the weights (e.g. a job
 * producer splitting a scene into tile batches) gets the same plan as the predictor.
 */
export function planTiledPrediction(
  model: Pick<PredictModel, 'inputs'>,
  width: number,
  height: number,
  options: TileOptions = {},
): TiledPredictionPlan {
  const [tileHeight, tileWidth] = tileSizeFor(model, options);
  const overlap = options.overlap ?? Math.floor(Math.min(tileHeight, tileWidth) / 4);
  const align =
    options.align ??
    Math.min(largestPowerOfTwoDividing(tileWidth), largestPowerOfTwoDividing(tileHeight));
  const plan = planTiles(width, height, tileWidth, tileHeight, overlap, align);
  return { ...plan, width, height, batchSize: options.batchSize ?? 4 };
}
