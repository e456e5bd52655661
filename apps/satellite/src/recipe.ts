import path from 'node:path';
import type { SegmentationRecipe } from '@unet/cli';
import { decodeSatelliteImage, listSatellite, tileSampleRefs } from '@unet/data';
import type { BundleNormalization } from '@unet/infer';
import { buildUnet } from '@unet/layers';

/**
 * Building footprints: scenes in `images/` (8-bit RGB or 16-bit single band, stretched between
 * its 2nd and 98th percentiles) with polygons of the same name in `polygons/` (the article's
 * point-list text, GeoJSON in pixel coordinates, or COCO). Training cuts scenes into tiles of
 * --image-size; evaluate and predict run the whole scene in overlapping tiles. The building
 * article's model (preset `satellite`), binary cross-entropy + Dice.
 */
export const satelliteRecipe: SegmentationRecipe & {
  bundle: { normalization: BundleNormalization };
} = {
  program: 'unet-satellite',
  description:
    'Building segmentation from satellite scenes and polygon annotations. --data holds images/ ' +
    '(.tif/.png) and polygons/ (.geojson/.json/.txt, same names). Scenes are cut into ' +
    '--image-size tiles for training and segmented whole, in overlapping tiles, afterwards.',
  channels: 3,
  // A scene gives a few dozen tiles: small batches and a fixed 300-epoch schedule (early stopping
  // on a handful of validation tiles quits long before the rare class is learnt); the best
  // epoch by validation loss is kept.
  defaults: { epochs: 300, batchSize: 4, imageSize: 128, valSplit: 0.2, patience: 0 },
  async list(dir, options) {
    const source = { imagesDir: path.join(dir, 'images'), polygonsDir: path.join(dir, 'polygons') };
    const scenes = await listSatellite(source, { ...options, size: undefined });
    const size = options.size;
    if (size === undefined) return scenes;
    const tileSize = typeof size === 'number' ? size : size.width;
    const tiles = await tileSampleRefs(scenes, { tileSize });
    if (tiles.length === 0 && scenes.length > 0) {
      throw new Error(
        `${dir}: every scene is smaller than one ${tileSize}x${tileSize} tile; use a smaller --image-size`,
      );
    }
    return tiles;
  },
  buildModel: ({ imageSize, channels, seed }) =>
    buildUnet({ preset: 'satellite', inputShape: [imageSize, imageSize, channels], seed }),
  // Buildings cover ~15% of a scene: plain BCE (the article's) settles on all-background with a
  // few dozen tiles; the Dice term keeps the rare class in play.
  loss: 'bceDiceLoss',
  metrics: ['diceCoefficient', 'iouScore'],
  tile: true,
  // Buildings are polygons: predict writes GeoJSON, evaluate adds the SpaceNet building score.
  polygons: true,
  // As the reader does for training: 16-bit scenes are stretched between their percentiles.
  readImage: (file, channels) => decodeSatelliteImage(file, { channels }),
  // What `export` records so a browser stretches 16-bit scenes as readImage does (its defaults).
  bundle: {
    normalization: { scale: 'unit', percentile16: { low: 2, high: 98, nodata: 0 } },
  },
};
