/**
 * The object outputs of `predict` and scores of `evaluate` that recipes opt into:
 * - `recipe.instances`: `predict --instances` writes `instances/NAME.png`, a 16-bit label image
 *   of the instance split (settings from MODEL/postprocess.json);
 * - `recipe.polygons`: `predict` writes `polygons/NAME.geojson` (pixel coordinates, simplified
 *   by `--simplify PX`) and `polygons/NAME.map.geojson` (map coordinates, from the GeoTIFF's
 *   georeference); `evaluate` adds the SpaceNet building score against the sample's polygon file.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { encodePng16, type Polygon, readGeoReference, readPolygonFile } from '@unet/data';
import {
  buildingScore,
  type Footprint,
  labelImagePixels,
  type MaskPair,
  maskToPolygons,
  objectsToGeoJson,
  type RasterImage,
} from '@unet/infer';
import { writeFileAtomic } from '@unet/train';
import type { FlagValues, PREDICT_FLAGS } from './command-spec.js';
import { readModelTargets } from './instance-model.js';
import { readSplitSettings, splitProbability } from './instance-postprocess.js';
import { UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';

type GeoRef = Awaited<ReturnType<typeof readGeoReference>>;

/** One predicted image as `predict`'s `onResult` sees it. */
export interface PredictedImage {
  name: string;
  mask: RasterImage;
  probability: RasterImage;
}

const json = (value: unknown) => `${JSON.stringify(value)}\n`;

/**
 * Checks the object flags of `predict` against the recipe and the inputs (before any prediction)
 * and returns the writer of the extra outputs of one image, or null when there are none.
 *
 * @param files input image per output name
 */
export async function predictObjectOutputs(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof PREDICT_FLAGS>,
  files: ReadonlyMap<string, string>,
): Promise<((image: PredictedImage) => Promise<string[]>) | null> {
  if (flags.instances && !recipe.instances) {
    throw new UsageError(
      `predict: --instances needs an instance recipe (${recipe.program} segments no separate objects)`,
    );
  }
  if (!recipe.polygons && flags.coordinates !== 'auto') {
    throw new UsageError(
      `predict: --coordinates is for polygon recipes (${recipe.program} writes no GeoJSON)`,
    );
  }
  const simplify = flags.simplify;
  if (!(simplify >= 0)) throw new UsageError(`predict: --simplify must be >= 0, got ${simplify}`);
  const split = flags.instances
    ? (await readSplitSettings(flags.model, await readModelTargets('predict', flags.model)))
        .settings
    : null;
  const geo = new Map<string, GeoRef>();
  if (recipe.polygons && flags.coordinates !== 'pixel') {
    for (const [name, file] of files) {
      // auto: a TIFF whose tags cannot be read has no usable georeference; the image decoder
      // reports a corrupt file with its own message.
      const ref =
        flags.coordinates === 'map'
          ? await readGeoReference(file)
          : await readGeoReference(file).catch(() => null);
      if (ref === null && flags.coordinates === 'map') {
        throw new UsageError(
          `predict: --coordinates map, but ${file} has no georeference (no GeoTIFF ModelPixelScale + ModelTiepoint or ModelTransformation tags); use --coordinates pixel`,
        );
      }
      geo.set(name, ref);
    }
  }
  if (!split && !recipe.polygons) return null;
  const out = flags.out;
  return async ({ name, probability }) => {
    const written: string[] = [];
    if (split) {
      const labels = splitProbability(probability, flags.threshold, split);
      let pixels: Uint8Array | Uint16Array;
      try {
        pixels = labelImagePixels(labels.labels, 16);
      } catch (error) {
        throw new Error(`predict: ${files.get(name) ?? name}: ${(error as Error).message}`);
      }
      const file = path.join(out, 'instances', `${name}.png`);
      await encodePng16(file, pixels as Uint16Array, labels.width, labels.height);
      written.push(file);
    }
    if (recipe.polygons) {
      const { width, height } = probability;
      const objects = maskToPolygons(probability.data, width, height, {
        threshold: flags.threshold,
        tolerance: simplify,
      });
      const pixelFile = path.join(out, 'polygons', `${name}.geojson`);
      await writeFileAtomicDir(pixelFile, json(objectsToGeoJson(objects)));
      written.push(pixelFile);
      const ref = geo.get(name);
      if (ref) {
        const mapFile = path.join(out, 'polygons', `${name}.map.geojson`);
        const collection = objectsToGeoJson(objects, {
          coordinates: 'map',
          geoTransform: ref.geoTransform,
          crs: ref.crs,
        });
        await writeFileAtomicDir(mapFile, json(collection));
        written.push(mapFile);
      }
    }
    return written;
  };
}

async function writeFileAtomicDir(file: string, text: string) {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text);
}

/**
 * The SpaceNet building score over an evaluation (counts pooled over images): predicted
 * footprints are the exact outlines of the 4-connected regions of the thresholded prediction,
 * true ones the polygons of each sample's polygon file (its second file, pixel coordinates).
 */
export function buildingScoring(threshold: number, polygonFiles: ReadonlyMap<string, string>) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let images = 0;
  return {
    async onPrediction(pair: MaskPair) {
      const file = polygonFiles.get(pair.name ?? '');
      if (file === undefined) throw new Error(`evaluate: no polygon file for ${pair.name}`);
      const truth: Polygon[] = (await readPolygonFile(file)).polygons;
      const { predicted } = pair;
      const objects = maskToPolygons(predicted.data, predicted.width, predicted.height, {
        threshold,
      });
      const footprints: Footprint[] = objects.map((o) => o.polygons);
      const score = buildingScore(footprints, truth);
      tp += score.tp;
      fp += score.fp;
      fn += score.fn;
      images += 1;
    },
    finish(): Record<string, unknown> {
      if (images === 0) return {};
      const precision = tp + fp > 0 ? tp / (tp + fp) : fn === 0 ? 1 : 0;
      const recall = tp + fn > 0 ? tp / (tp + fn) : fp === 0 ? 1 : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      return {
        buildings: { iou_threshold: 0.5, tp, fp, fn, precision, recall, f1 },
      };
    },
  };
}
