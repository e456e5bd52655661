/**
 * Objects, not just pixels: instance splitting, instance targets, label images, mask -> polygon
 * tracing, GeoJSON, the SpaceNet building score and test-time augmentation. Everything here is
 * browser-safe (typed arrays, no Node built-ins), ready to move into a browser package.
 */
export type {
  BuildingMatch,
  BuildingScore,
  BuildingScoreOptions,
  Footprint,
} from './building-score.js';
export { buildingScore, intersectionArea, polygonIoU } from './building-score.js';
export type { ObjectPolygons, TraceOptions } from './contours.js';
export { maskToPolygons, traceLabels } from './contours.js';
export type { DistanceTransformOptions } from './distance-transform.js';
export { distanceTransform } from './distance-transform.js';
export type {
  GeoJsonOptions,
  GeoTransform,
  ObjectFeature,
  ObjectFeatureCollection,
} from './geojson.js';
export { objectsToGeoJson, pixelToMap } from './geojson.js';
export type { Point, Polygon, Ring } from './geometry.js';
export { polygonArea, ringArea, simplifyPolygon, simplifyRing } from './geometry.js';
export type { InstanceTargetOptions } from './instance-targets.js';
export {
  INSTANCE_CLASSES,
  instanceProbabilities,
  instanceTargets,
  labelImagePixels,
} from './instance-targets.js';
export type { SplitOptions } from './split-instances.js';
export { fillInstanceHoles, splitInstances } from './split-instances.js';
export type { Dihedral, TtaOptions, TtaTransforms } from './tta.js';
export {
  predictWithTta,
  transformImage,
  ttaTransforms,
  untransformImage,
} from './tta.js';
export type { Neighbourhood } from './watershed.js';
export { hMaximaMarkers, watershed } from './watershed.js';
