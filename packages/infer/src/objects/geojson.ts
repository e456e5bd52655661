/**
 * Object polygons -> GeoJSON FeatureCollection, in pixel coordinates or, with a GDAL-style affine
 * georeference, in map coordinates. Browser-safe.
 */
import type { ObjectPolygons } from './contours.js';
import { type Point, type Polygon, type Ring, ringArea } from './geometry.js';

/**
 * GDAL geotransform `[originX, pixelWidth, rotationX, originY, rotationY, pixelHeight]`: pixel
 * (col, row) -> map (originX + col * pixelWidth + row * rotationX,
 * originY + col * rotationY + row * pixelHeight). North-up images have rotations 0 and a negative
 * pixelHeight.
 */
export type GeoTransform = readonly [number, number, number, number, number, number];

/** Options of {@link objectsToGeoJson}. */
export interface GeoJsonOptions {
  /** Default `'pixel'`; `'map'` needs `geoTransform`. */
  coordinates?: 'pixel' | 'map';
  geoTransform?: GeoTransform;
  /** e.g. `'urn:ogc:def:crs:EPSG::32616'`; written as the (pre-RFC 7946) `crs` member. */
  crs?: string;
}

/** A GeoJSON Feature of one object. */
export interface ObjectFeature {
  type: 'Feature';
  properties: { label: number; area: number };
  geometry:
    | { type: 'Polygon'; coordinates: number[][][] }
    | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

/** A GeoJSON FeatureCollection of objects. */
export interface ObjectFeatureCollection {
  type: 'FeatureCollection';
  crs?: { type: 'name'; properties: { name: string } };
  features: ObjectFeature[];
}

/** Pixel (x, y) -> map coordinates. */
export function pixelToMap(point: Point, t: GeoTransform): [number, number] {
  const [x, y] = point;
  return [t[0] + x * t[1] + y * t[2], t[3] + x * t[4] + y * t[5]];
}

function checkGeoTransform(t: GeoTransform | undefined): GeoTransform {
  if (t === undefined) {
    throw new Error(
      "map coordinates need a georeference: pass geoTransform [originX, pixelWidth, rotationX, originY, rotationY, pixelHeight] (e.g. from the GeoTIFF), or use coordinates: 'pixel'",
    );
  }
  if (t.length !== 6 || !t.every(Number.isFinite)) {
    throw new Error(`geoTransform must be 6 finite numbers, got ${JSON.stringify(t)}`);
  }
  if (t[1] * t[5] - t[2] * t[4] === 0) {
    throw new Error(`geoTransform ${JSON.stringify(t)} is singular (pixels would have no area)`);
  }
  return t;
}

/**
 * Closed ring in output coordinates, oriented as RFC 7946 asks (outer rings counterclockwise,
 * holes clockwise, i.e. positive / negative shoelace area in the output coordinates). The affine
 * transform may mirror (north-up images flip y), so the orientation is fixed after transforming.
 */
function outputRing(ring: Ring, outer: boolean, t: GeoTransform | undefined): number[][] {
  let points = ring.map((p) => (t ? pixelToMap(p, t) : [p[0], p[1]]));
  if (ringArea(points as unknown as Ring) > 0 !== outer) points = points.reverse();
  return [...points, points[0]!];
}

/**
 * One Feature per object (`properties.label`, `properties.area` in pixels), a Polygon or, for an
 * object in several parts, a MultiPolygon.
 *
 * @throws when map coordinates are asked for without a (valid) `geoTransform`
 */
export function objectsToGeoJson(
  objects: readonly ObjectPolygons[],
  options: GeoJsonOptions = {},
): ObjectFeatureCollection {
  const coordinates = options.coordinates ?? 'pixel';
  if (coordinates !== 'pixel' && coordinates !== 'map') {
    throw new Error(`coordinates must be 'pixel' or 'map', got ${JSON.stringify(coordinates)}`);
  }
  const t = coordinates === 'map' ? checkGeoTransform(options.geoTransform) : undefined;
  const polygonCoordinates = (p: Polygon) => p.rings.map((r, i) => outputRing(r, i === 0, t));
  const features = objects
    .filter((o) => o.polygons.length > 0)
    .map((o): ObjectFeature => {
      const properties = { label: o.label, area: o.area };
      if (o.polygons.length === 1) {
        const geometry = {
          type: 'Polygon' as const,
          coordinates: polygonCoordinates(o.polygons[0]!),
        };
        return { type: 'Feature', properties, geometry };
      }
      const geometry = {
        type: 'MultiPolygon' as const,
        coordinates: o.polygons.map(polygonCoordinates),
      };
      return { type: 'Feature', properties, geometry };
    });
  const collection: ObjectFeatureCollection = { type: 'FeatureCollection', features };
  if (options.crs) collection.crs = { type: 'name', properties: { name: options.crs } };
  return collection;
}
