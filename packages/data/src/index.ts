/**
 * @unet/data: image/mask I/O, dataset readers (DSB2018, Montgomery, satellite polygons, image
 * folders, CamVid), binary and multi-class masks, class lists and weights, polygon rasterizer, splits, augmentation and `tf.data` batching for U-Net training.
 */

/** Instance labels (0 = background, 1..count = objects), shared with @unet/infer. */
export type { LabelImage } from '@unet/infer';
export type { ArrayDatasetOptions } from './array-dataset';
export { arrayDataset } from './array-dataset';
export type { AugmentedPair, AugmentOptions, ElasticOptions } from './augment';
export { augmentPair } from './augment';
export type { BinaryMask, MaskReadOptions } from './binary-mask';
export { binaryMaskToRaster, readBinaryMask, resizeBinaryMask } from './binary-mask';
export { clearCache, defaultCacheDir } from './cache';
export type { ClassInfo, ClassList, Rgb } from './class-list';
export {
  CAMVID_CLASSES,
  ClassListError,
  classListToJson,
  MAX_CLASS_VALUE,
  parseClassList,
  readClassList,
  validateClassList,
} from './class-list';
export type { ClassMask, ClassMaskFormat } from './class-mask';
export { classMaskToRaster, readClassMask, resizeClassMask } from './class-mask';
export type { ClassPolygonOptions } from './class-polygons';
export { rasterizeClassPolygons } from './class-polygons';
export type { ClassFrequencies, ClassIndexData } from './class-weights';
export {
  countClassPixels,
  medianFrequencyWeights,
  medianFrequencyWeightsOfSamples,
  weightsFromFrequencies,
} from './class-weights';
export type { CocoImageAnnotations, CocoRle } from './coco';
export { decodeCocoRle, parseCocoAnnotations } from './coco';
export type { TfBatch, TfDatasetOptions } from './dataset';
export { toTfDataset } from './dataset';
export type { DataProblem, SkippedSample } from './errors';
export { DataFileError } from './errors';
export type { GeoReference } from './geotiff';
export { readGeoReference } from './geotiff';
export type {
  DecodeImageOptions,
  ImageHeader,
  RasterImage,
  ResizeKind,
  ResizeTarget,
} from './image-io';
export {
  decodeImage,
  decodeImageResized,
  encodePng,
  encodePng16,
  readImageHeader,
  resizeImage,
  resizeNearest,
} from './image-io';
export type { LoadResult, LoadSamplesOptions, SampleRecipe } from './load';
export { createSampleRefs, loadSamples } from './load';
export type { PercentileOptions } from './normalize';
export { normalizePercentiles } from './normalize';
export type { ParsedPolygons, PolygonFormat } from './polygon-formats';
export { parseGeoJsonPolygons, parsePointListText, readPolygonFile } from './polygon-formats';
export type { ProgressBarOptions, ProgressReporter } from './progress';
export { createProgressBar, formatDuration, isCI, progressBarText } from './progress';
export type { Random } from './random';
export { createRandom, shuffled } from './random';
export type {
  Point,
  Polygon,
  PolygonIssue,
  PolygonProblem,
  RasterizeReport,
  Ring,
} from './rasterize';
export { rasterizePolygons } from './rasterize';
export type { CamvidOptions } from './readers/camvid';
export { listCamvid, readCamvid } from './readers/camvid';
export type { Dsb2018Options } from './readers/dsb2018';
export { listDsb2018, readDsb2018 } from './readers/dsb2018';
export type { ImageFolderOptions } from './readers/image-folder';
export { listImageFolder, readImageFolder } from './readers/image-folder';
export type { MontgomeryOptions } from './readers/montgomery';
export { listMontgomery, readMontgomery } from './readers/montgomery';
export type {
  SatelliteImageOptions,
  SatelliteOptions,
  SatellitePair,
  SatelliteSource,
} from './readers/satellite';
export { decodeSatelliteImage, listSatellite, readSatellite } from './readers/satellite';
export type {
  ImageSize,
  LabeledSample,
  LoadStats,
  ReadOptions,
  Sample,
  SampleRef,
} from './sample';
export { hasMask } from './sample';
export type { DatasetSplit, SplitOptions } from './split';
export { splitDataset } from './split';
export { escapeSvgText, overlaySvg } from './svg-overlay';
export {
  cropSampleTile,
  type TilePosition,
  type TilingOptions,
  tileGrid,
  tileId,
  tileSampleRefs,
} from './tiles';
