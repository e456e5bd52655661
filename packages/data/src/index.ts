/**
 * @unet/data: image/mask I/O, dataset readers (DSB2018, Montgomery, satellite polygons, image
 * folders, CamVid), binary and multi-class masks, class lists and weights, polygon rasterizer, splits, augmentation and `tf.data` batching for U-Net training.
 */

/** Instance labels (0 = background, 1..count = objects), shared with @unet/infer. */
export type { LabelImage } from '@unet/infer';
export type { ArrayDatasetOptions } from './array-dataset.js';
export { arrayDataset } from './array-dataset.js';
export type { AugmentedPair, AugmentOptions, ElasticOptions, ZoomOptions } from './augment.js';
export { augmentPair } from './augment.js';
export type { BinaryMask, MaskReadOptions } from './binary-mask.js';
export { binaryMaskToRaster, readBinaryMask, resizeBinaryMask } from './binary-mask.js';
export { clearCache, defaultCacheDir } from './cache.js';
export type { ClassInfo, ClassList, Rgb } from './class-list.js';
export {
  CAMVID_CLASSES,
  ClassListError,
  classListToJson,
  MAX_CLASS_VALUE,
  parseClassList,
  readClassList,
  validateClassList,
} from './class-list.js';
export type { ClassMask, ClassMaskFormat } from './class-mask.js';
export { classMaskToRaster, readClassMask, resizeClassMask } from './class-mask.js';
export type { ClassPolygonOptions } from './class-polygons.js';
export { rasterizeClassPolygons } from './class-polygons.js';
export type { ClassFrequencies, ClassIndexData } from './class-weights.js';
export {
  countClassPixels,
  medianFrequencyWeights,
  medianFrequencyWeightsOfSamples,
  weightsFromFrequencies,
} from './class-weights.js';
export type { CocoImageAnnotations, CocoRle } from './coco.js';
export { decodeCocoRle, parseCocoAnnotations } from './coco.js';
export type { ColourOptions } from './colour-jitter.js';
export type { EpochSeededDataset, TfBatch, TfDatasetOptions } from './dataset.js';
export { isEpochSeeded, toTfDataset } from './dataset.js';
export type { DataProblem, SkippedSample } from './errors.js';
export { DataFileError } from './errors.js';
export type { GeoReference } from './geotiff.js';
export { readGeoReference } from './geotiff.js';
export type {
  DecodeImageOptions,
  ImageHeader,
  RasterImage,
  ResizeKind,
  ResizeTarget,
} from './image-io.js';
export {
  decodeImage,
  decodeImageResized,
  encodePng,
  encodePng16,
  readImageHeader,
  resizeImage,
  resizeNearest,
} from './image-io.js';
export type { LoadResult, LoadSamplesOptions, SampleRecipe } from './load.js';
export { createSampleRefs, loadSamples } from './load.js';
export type { PercentileOptions } from './normalize.js';
export { normalizePercentiles } from './normalize.js';
export type { ParsedPolygons, PolygonFormat } from './polygon-formats.js';
export { parseGeoJsonPolygons, parsePointListText, readPolygonFile } from './polygon-formats.js';
export type { ProgressBarOptions, ProgressReporter } from './progress.js';
export { createProgressBar, formatDuration, isCI, progressBarText } from './progress.js';
export type { Random } from './random.js';
export { createRandom, shuffled } from './random.js';
export type {
  Point,
  Polygon,
  PolygonIssue,
  PolygonProblem,
  RasterizeReport,
  Ring,
} from './rasterize.js';
export { rasterizePolygons } from './rasterize.js';
export type { CamvidOptions } from './readers/camvid.js';
export { listCamvid, readCamvid } from './readers/camvid.js';
export type { Dsb2018Options } from './readers/dsb2018.js';
export { INSTANCE_TARGET_CLASSES, listDsb2018, readDsb2018 } from './readers/dsb2018.js';
export type { ImageFolderOptions } from './readers/image-folder.js';
export { listImageFolder, readImageFolder } from './readers/image-folder.js';
export type { MontgomeryOptions } from './readers/montgomery.js';
export { listMontgomery, readMontgomery } from './readers/montgomery.js';
export type {
  SatelliteImageOptions,
  SatelliteOptions,
  SatellitePair,
  SatelliteSource,
} from './readers/satellite.js';
export { decodeSatelliteImage, listSatellite, readSatellite } from './readers/satellite.js';
export type {
  ImageSize,
  LabeledSample,
  LoadStats,
  ReadOptions,
  Sample,
  SampleRef,
} from './sample.js';
export { hasMask } from './sample.js';
export type { DatasetSplit, SplitOptions } from './split.js';
export { splitDataset } from './split.js';
export { escapeSvgText, overlaySvg } from './svg-overlay.js';
export {
  cropSampleTile,
  type TilePosition,
  type TilingOptions,
  tileGrid,
  tileId,
  tileSampleRefs,
} from './tiles.js';
