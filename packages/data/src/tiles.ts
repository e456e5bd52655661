/**
 * Cutting large samples (satellite scenes, whole slides) into fixed-size training tiles, lazily:
 * a tile's source is decoded once, when the first of its tiles is loaded.
 */

import type { LabelImage } from '@unet/infer';
import type { RasterImage } from './image-io.js';
import { readImageHeader } from './image-io.js';
import type { Sample, SampleRef } from './sample.js';

/** Options of {@link tileGrid} and {@link tileSampleRefs}. */
export interface TilingOptions {
  /** Tile width and height in pixels. */
  tileSize: number;
  /** Pixels shared by neighbouring tiles (default 0), as in @unet/infer's `TileOptions`. */
  overlap?: number;
}

/** One tile of a grid: its column/row index and its top-left pixel. */
export interface TilePosition {
  col: number;
  row: number;
  x: number;
  y: number;
}

/**
 * Whole tiles of `tileSize` covering a `width` x `height` image from the top-left, overlapping
 * by `overlap` pixels (a border narrower than a tile is left out).
 */
export function tileGrid(width: number, height: number, options: TilingOptions): TilePosition[] {
  const { tileSize } = options;
  const overlap = options.overlap ?? 0;
  const stride = tileSize - overlap;
  if (!Number.isInteger(tileSize) || tileSize < 1 || !Number.isInteger(overlap) || overlap < 0) {
    throw new Error(
      `tileSize must be a positive integer and overlap a whole number >= 0 (got ${tileSize}, ${overlap})`,
    );
  }
  if (stride < 1) throw new Error(`overlap ${overlap} must be smaller than the tile (${tileSize})`);
  const tiles: TilePosition[] = [];
  for (let row = 0, y = 0; y + tileSize <= height; row++, y += stride) {
    for (let col = 0, x = 0; x + tileSize <= width; col++, x += stride)
      tiles.push({ col, row, x, y });
  }
  return tiles;
}

/** The id of a tile: the source id with the tile's grid index, e.g. `scene_x3_y1`. */
export function tileId(sourceId: string, tile: Pick<TilePosition, 'col' | 'row'>): string {
  return `${sourceId}_x${tile.col}_y${tile.row}`;
}

function cropRaster(image: RasterImage, x: number, y: number, size: number): RasterImage {
  const { width, channels } = image;
  const data = new Float32Array(size * size * channels);
  for (let r = 0; r < size; r++) {
    const from = ((y + r) * width + x) * channels;
    data.set(image.data.subarray(from, from + size * channels), r * size * channels);
  }
  return { data, width: size, height: size, channels };
}

function cropLabels(instances: LabelImage, x: number, y: number, size: number): LabelImage {
  const labels = new Int32Array(size * size);
  for (let r = 0; r < size; r++) {
    const from = (y + r) * instances.width + x;
    labels.set(instances.labels.subarray(from, from + size), r * size);
  }
  return { labels, width: size, height: size, count: instances.count };
}

/** One tile of a loaded sample (image, mask and instance labels cropped alike). */
export function cropSampleTile(sample: Sample, tile: TilePosition, tileSize: number): Sample {
  const { x, y } = tile;
  if (x + tileSize > sample.image.width || y + tileSize > sample.image.height) {
    throw new Error(`tile at (${x}, ${y}) of size ${tileSize} is outside ${sample.files[0]}`);
  }
  return {
    id: tileId(sample.id, tile),
    image: cropRaster(sample.image, x, y, tileSize),
    mask: sample.mask && cropRaster(sample.mask, x, y, tileSize),
    instances: sample.instances && cropLabels(sample.instances, x, y, tileSize),
    originalSize: { width: tileSize, height: tileSize },
    files: sample.files,
  };
}

/**
 * References to the tiles of full-size sample references (list them without `size`). Each source
 * is decoded once, when the first of its tiles loads, and shared by its tiles.
 *
 * @example
 * ```ts
 * const scenes = await listSatellite({ imagesDir, polygonsDir });
 * const tiles = await tileSampleRefs(scenes, { tileSize: 128 });
 * ```
 */
export async function tileSampleRefs(
  sources: readonly SampleRef[],
  options: TilingOptions,
): Promise<SampleRef[]> {
  const refs: SampleRef[] = [];
  for (const source of sources) {
    const header = await readImageHeader(source.files[0]!);
    let loaded: Promise<Sample> | undefined;
    for (const tile of tileGrid(header.width, header.height, options)) {
      refs.push({
        id: tileId(source.id, tile),
        files: source.files,
        stats: source.stats,
        load: async () => {
          loaded ??= source.load();
          return cropSampleTile(await loaded, tile, options.tileSize);
        },
      });
    }
  }
  return refs;
}
