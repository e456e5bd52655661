/**
 * @unet/infer: everything between a decoded image and a mask, in any JavaScript runtime (Node or a
 * browser; no Node built-ins): resizing, tile planning and blended tiled prediction, thresholding,
 * connected components, per-image scores (Dice, IoU, precision, recall, DSB2018 mAP), and objects:
 * instance splitting, instance targets, label images, mask -> polygons, GeoJSON, the SpaceNet
 * building score and test-time augmentation.
 */

export type {
  BundleManifest,
  BundleNormalization,
  BundlePercentileStretch,
  BundleTiling,
} from './bundle-manifest.js';
export {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_MANIFEST_FILE,
  BundleError,
  parseBundleManifest,
} from './bundle-manifest.js';
export type { BundlePrediction, BundlePredictOptions } from './bundle-predict.js';
export { checkBundleModel, predictWithBundle } from './bundle-predict.js';
export type { BundleContents, BundleSource } from './bundle-read.js';
export { readBundle, urlBundleSource } from './bundle-read.js';
export type { ClassColourOptions, Colour } from './class-images.js';
export { argmaxClasses, classIndicesToRgb, defaultClassColours } from './class-images.js';
export type {
  ClassScore,
  ClassScoresSummary,
  ConfusionMatrixOptions,
} from './class-scores.js';
export { ConfusionMatrix } from './class-scores.js';
export { confusionCsv, perClassCsv } from './class-scores-csv.js';
export type { Connectivity, LabelImage, LabelOptions } from './connected-components.js';
export { labelComponents } from './connected-components.js';
export type { InstanceScore, ThresholdCounts } from './instance-score.js';
export {
  DSB_IOU_THRESHOLDS,
  instanceOverlaps,
  instanceScore,
  maskInstanceScore,
  toLabelImage,
} from './instance-score.js';
export type { ConfusionCounts, SegmentationScores } from './mask-scores.js';
export { addCounts, confusionCounts, scoresFromCounts } from './mask-scores.js';
export * from './objects/index.js';
export type { PercentileOptions } from './percentile-stretch.js';
export { normalizePercentiles } from './percentile-stretch.js';
export type { PredictImageOptions } from './predict-image.js';
export { predictProbability } from './predict-image.js';
export type { PredictModel } from './predict-model.js';
export { fixedInputSize } from './predict-model.js';
export type { RasterImage } from './raster.js';
export { channelOf, cropReflect, reflectIndex, thresholdRaster, toChannels } from './raster.js';
export { resizeBilinear, resizeNearest } from './resize.js';
export type {
  EvaluationOptions,
  EvaluationReport,
  ImageEvaluation,
  MaskPair,
} from './score-masks.js';
export { evaluateMasks, scoreMaskPair, summarizeScores } from './score-masks.js';
export type { TileOutputs } from './tile-blend.js';
export { TileBlender } from './tile-blend.js';
export type { TiledPredictionPlan, TileOptions, TilePlan } from './tile-plan.js';
export { planTiledPrediction, planTiles } from './tile-plan.js';
export { predictTiled, predictTiles } from './tiled-predict.js';
