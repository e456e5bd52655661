/**
 * Satellite tiles with building footprints given as polygons (point-list text, GeoJSON in pixel
 * coordinates, or COCO). Masks are rasterized at the tile's size (pixel centres inside polygons,
 * like GDAL), then resized. 8-bit tiles are scaled by 1/255; 16-bit tiles are stretched per band
 * between their 2nd and 98th percentiles (no-data 0 left out), see `normalizePercentiles`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type BinaryMask, unionInto } from '../binary-mask.js';
import { type CocoImageAnnotations, parseCocoAnnotations } from '../coco.js';
import { DataFileError, describeError, readJsonFile } from '../errors.js';
import { decodeImage, type RasterImage, readImageHeader, resizeImage } from '../image-io.js';
import {
  createSampleRefs,
  type LoadResult,
  loadSamples,
  type SampleRecipe,
  warnOnStderr,
} from '../load.js';
import { normalizePercentiles, type PercentileOptions } from '../normalize.js';
import { type ParsedPolygons, type PolygonFormat, readPolygonFile } from '../polygon-formats.js';
import { type PolygonIssue, rasterizeToBinary } from '../rasterize.js';
import {
  type ImageSize,
  type ReadOptions,
  resolveSize,
  type Sample,
  type SampleRef,
} from '../sample.js';
import {
  assertFolder,
  decodeSampleImage,
  failingRecipe,
  finishMask,
  listImageFiles,
  stem,
} from './shared.js';

/** One tile and its polygon file. */
export interface SatellitePair {
  image: string;
  polygons: string;
  /** Default: the image name without extension. */
  id?: string;
}

/** Where tiles and their polygons are. */
export type SatelliteSource =
  | { pairs: readonly SatellitePair[] }
  | {
      imagesDir: string;
      polygonsDir: string;
      /** Polygon file name (without extension) for an image name (default: the same name). */
      polygonName?: (imageStem: string) => string;
    }
  | {
      /** Folder holding the images named by the COCO file's `images[].file_name`. */
      imagesDir: string;
      cocoFile: string;
    };

/** Options of {@link readSatellite}. */
export interface SatelliteOptions extends ReadOptions {
  /** Format of polygon files (default `'auto'`: `.txt` = point list, JSON with `type` = GeoJSON). */
  polygonFormat?: PolygonFormat;
  /** 16-bit stretch (default 2nd..98th percentile per band, no-data value 0). */
  percentiles?: PercentileOptions;
  /** COCO only: keep annotations of these categories (default: all). */
  categoryIds?: number[];
}

const POLYGON_EXTENSIONS = ['.geojson', '.json', '.txt'];

/**
 * Lists satellite tiles with their polygon files without decoding.
 * @throws {@link DataFileError} when a folder is missing or empty, or the COCO file is unreadable.
 */
export async function listSatellite(
  source: SatelliteSource,
  options: SatelliteOptions = {},
): Promise<SampleRef[]> {
  const warn = options.onWarning ?? warnOnStderr;
  const settings: SatelliteSettings = {
    size: resolveSize(options.size),
    channels: options.channels,
    polygonFormat: options.polygonFormat ?? 'auto',
    percentiles: options.percentiles ?? {},
    categoryIds: options.categoryIds,
  };
  let recipes: SampleRecipe[];
  if ('pairs' in source) {
    if (source.pairs.length === 0) {
      throw new DataFileError('pairs', 'empty-dataset', 'no image/polygon pairs given');
    }
    recipes = source.pairs.map((pair) =>
      polygonFileRecipe(pair.id ?? stem(pair.image), pair.image, pair.polygons, settings, warn),
    );
  } else if ('cocoFile' in source) {
    // COCO lists its images: load those (by file_name, inside imagesDir), ignore other files.
    await assertFolder(source.imagesDir, 'images');
    const annotations = await readCocoFile(source.cocoFile, settings.categoryIds);
    if (annotations.size === 0) {
      throw new DataFileError(source.cocoFile, 'empty-dataset', 'the COCO file lists no images');
    }
    recipes = [...annotations.values()].map((entry) =>
      cocoRecipe(
        path.join(source.imagesDir, entry.fileName),
        source.cocoFile,
        entry,
        settings,
        warn,
      ),
    );
  } else {
    await assertFolder(source.polygonsDir, 'polygons');
    const images = await nonEmptyImageList(source.imagesDir);
    recipes = await Promise.all(
      images.map(async (image) => {
        const name = source.polygonName ? source.polygonName(stem(image)) : stem(image);
        const polygons = await findPolygonFile(source.polygonsDir, name);
        if (!polygons) {
          return failingRecipe(
            stem(image),
            [image],
            new DataFileError(
              image,
              'missing-file',
              `no polygon file for this image: expected ${path.join(source.polygonsDir, name)}{${POLYGON_EXTENSIONS.join(',')}}`,
            ),
          );
        }
        return polygonFileRecipe(stem(image), image, polygons, settings, warn);
      }),
    );
  }
  return createSampleRefs('satellite', recipes, settings, options);
}

/**
 * Reads satellite tiles and rasterizes their building polygons into masks.
 *
 * @example
 * ```ts
 * const { samples } = await readSatellite(
 *   { pairs: [{ image: 'tile.tif', polygons: 'tile_px.geojson' }] }, { size: 256 });
 * ```
 */
export async function readSatellite(
  source: SatelliteSource,
  options: SatelliteOptions = {},
): Promise<LoadResult> {
  const label = 'pairs' in source ? 'satellite tiles' : source.imagesDir;
  return loadSamples(await listSatellite(source, options), { label, ...options });
}

interface SatelliteSettings {
  size: ImageSize | undefined;
  channels: 1 | 3 | undefined;
  polygonFormat: PolygonFormat;
  percentiles: PercentileOptions;
  categoryIds: number[] | undefined;
}

async function nonEmptyImageList(dir: string): Promise<string[]> {
  const images = await listImageFiles(dir, 'images');
  if (images.length === 0)
    throw new DataFileError(dir, 'empty-dataset', 'the images folder holds no images');
  return images;
}

async function findPolygonFile(dir: string, name: string): Promise<string | undefined> {
  for (const extension of POLYGON_EXTENSIONS) {
    const candidate = path.join(dir, name + extension);
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // try the next extension
    }
  }
  return undefined;
}

async function readCocoFile(file: string, categoryIds: number[] | undefined) {
  const json = await readJsonFile(file, 'bad-polygons', 'COCO file');
  try {
    return parseCocoAnnotations(json, { categoryIds });
  } catch (error) {
    throw new DataFileError(file, 'bad-polygons', describeError(error), { cause: error });
  }
}

/** Options of {@link decodeSatelliteImage}. */
export interface SatelliteImageOptions {
  /** Image channels: 1 (grey) or 3 (RGB, a single band replicated). Default: the file's. */
  channels?: 1 | 3;
  /** 16-bit stretch (default 2nd..98th percentile per band, no-data value 0). */
  percentiles?: PercentileOptions;
}

/**
 * Decodes a satellite image at full size as the satellite reader does for training: 8-bit
 * scaled by 1/255, 16-bit stretched per band between its percentiles. Use it to prepare new
 * scenes for prediction with a model trained on {@link readSatellite} samples.
 */
export async function decodeSatelliteImage(
  file: string,
  options: SatelliteImageOptions = {},
): Promise<RasterImage> {
  const header = await readImageHeader(file);
  const image = await decodeImage(file, options.channels ? { channels: options.channels } : {});
  return header.bitDepth === 16 ? normalizePercentiles(image, options.percentiles) : image;
}

/** Decodes a tile: 8-bit scaled by 1/255, 16-bit stretched by percentiles, then resized. */
async function decodeTile(file: string, settings: SatelliteSettings) {
  const header = await readImageHeader(file);
  // 8-bit: let sharp resize while decoding.
  if (header.bitDepth === 8) return decodeSampleImage(file, settings.channels, settings.size);
  const stretched = await decodeSatelliteImage(file, settings);
  const { size } = settings;
  const image = size ? await resizeImage(stretched, size.width, size.height, 'image') : stretched;
  return { image, originalSize: { width: header.width, height: header.height } };
}

function reportIssues(
  file: string,
  issues: PolygonIssue[],
  polygonCount: number,
  warn: (message: string) => void,
) {
  if (issues.length === 0) return;
  const outside = issues.filter((i) => i.problem === 'outside-image').length;
  const hint =
    polygonCount > 0 && outside === polygonCount
      ? ' All polygons are outside the image: are the coordinates map coordinates instead of pixels?'
      : '';
  const listed = issues
    .slice(0, 5)
    .map(
      (i) => `polygon ${i.polygon}${i.ring ? ` ring ${i.ring}` : ''}: ${i.problem} (${i.detail})`,
    )
    .join('; ');
  warn(
    `${file}: ${issues.length} polygon issue(s): ${listed}${issues.length > 5 ? '; ...' : ''}.${hint}`,
  );
}

function rasterize(
  parsed: ParsedPolygons,
  size: ImageSize,
  extraMasks: readonly BinaryMask[],
  file: string,
  warn: (message: string) => void,
): BinaryMask {
  const { mask, report } = rasterizeToBinary(parsed.polygons, size.width, size.height);
  for (const extra of extraMasks) {
    if (extra.width !== size.width || extra.height !== size.height) {
      throw new DataFileError(
        file,
        'size-mismatch',
        `RLE mask is ${extra.width}x${extra.height}, image is ${size.width}x${size.height}`,
      );
    }
    unionInto(mask, extra);
  }
  reportIssues(file, [...parsed.issues, ...report.issues], parsed.polygons.length, warn);
  return mask;
}

function polygonFileRecipe(
  id: string,
  image: string,
  polygonFile: string,
  settings: SatelliteSettings,
  warn: (message: string) => void,
): SampleRecipe {
  const files = [image, polygonFile];
  return {
    id,
    files,
    async decode(): Promise<Sample> {
      const [tile, parsed] = await Promise.all([
        decodeTile(image, settings),
        readPolygonFile(polygonFile, settings.polygonFormat),
      ]);
      const binary = rasterize(parsed, tile.originalSize, [], polygonFile, warn);
      const mask = await finishMask(binary, settings.size);
      return { id, image: tile.image, mask, originalSize: tile.originalSize, files };
    },
  };
}

function cocoRecipe(
  image: string,
  cocoFile: string,
  entry: CocoImageAnnotations,
  settings: SatelliteSettings,
  warn: (message: string) => void,
): SampleRecipe {
  const id = stem(image);
  const files = [image, cocoFile];
  return {
    id,
    files,
    async decode(): Promise<Sample> {
      const tile = await decodeTile(image, settings);
      const { width, height } = tile.originalSize;
      if (entry.width && entry.height && (entry.width !== width || entry.height !== height)) {
        throw new DataFileError(
          image,
          'size-mismatch',
          `image is ${width}x${height} but ${cocoFile} says ${entry.width}x${entry.height}`,
        );
      }
      const binary = rasterize(
        entry,
        tile.originalSize,
        entry.rleMasks,
        `${cocoFile} (${entry.fileName})`,
        warn,
      );
      const mask = await finishMask(binary, settings.size);
      return { id, image: tile.image, mask, originalSize: tile.originalSize, files };
    },
  };
}
