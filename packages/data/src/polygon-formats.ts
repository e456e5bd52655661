/**
 * Building-footprint annotation formats, parsed into {@link Polygon}s in pixel coordinates:
 * (a) a text list of `[x, y]` points whose rings close by repeating their first point,
 * (b) GeoJSON Polygon/MultiPolygon (holes kept). COCO files, which cover many images, are in
 * `coco.ts`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataFileError, describeError, wrapFileError } from './errors.js';
import type { Point, Polygon, PolygonIssue, Ring } from './rasterize.js';

/** Polygons read from an annotation source, with whatever could not be used. */
export interface ParsedPolygons {
  polygons: Polygon[];
  /** Problems found while parsing (unclosed rings, non-polygon geometries, ...). */
  issues: PolygonIssue[];
}

/** Annotation file formats; `'auto'` picks by extension and content. */
export type PolygonFormat = 'auto' | 'text' | 'geojson' | 'coco';

function isPoint(value: unknown): value is Point {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number'
  );
}

/**
 * Parses the point-list text format: `[[441, 562], [441, 529], ..., [441, 562], [545, 541], ...]`.
 * Each ring ends where its first point repeats; the next point starts a new ring. Every ring is a
 * separate footprint (OR-ed). Also accepts one such list per line. A trailing ring that never
 * closes is reported as `unclosed-ring` (and still drawn when it has 3 or more points);
 * rings with fewer than 3 distinct points are reported by the rasterizer.
 */
export function parsePointListText(text: string): ParsedPolygons {
  const streams = pointStreams(text);
  const polygons: Polygon[] = [];
  const issues: PolygonIssue[] = [];
  for (const points of streams) {
    let current: Point[] = [];
    for (const point of points) {
      current.push(point);
      const first = current[0]!;
      if (current.length > 1 && point[0] === first[0] && point[1] === first[1]) {
        polygons.push({ rings: [current] });
        current = [];
      }
    }
    if (current.length > 0) {
      issues.push({
        polygon: polygons.length,
        ring: 0,
        problem: 'unclosed-ring',
        detail: `last ${current.length} point(s) never return to their first point ${JSON.stringify(current[0])}`,
      });
      if (current.length >= 3) polygons.push({ rings: [current] });
    }
  }
  return { polygons, issues };
}

function pointStreams(text: string): Point[][] {
  const asStreams = (value: unknown): Point[][] | undefined => {
    if (!Array.isArray(value)) return undefined;
    if (value.every(isPoint)) return [value];
    if (value.every((v) => Array.isArray(v) && v.every(isPoint))) return value as Point[][];
    return undefined;
  };
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const streams = asStreams(JSON.parse(trimmed));
    if (streams) return streams;
  } catch {
    // not one JSON document: try one list per line
  }
  const streams: Point[][] = [];
  for (const [n, line] of trimmed.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.replace(/\(/g, '[').replace(/\)/g, ']'));
    } catch (error) {
      throw new Error(`line ${n + 1} is not a list of [x, y] points (${describeError(error)})`);
    }
    const lineStreams = asStreams(parsed);
    if (!lineStreams) throw new Error(`line ${n + 1} is not a list of [x, y] points`);
    streams.push(...lineStreams);
  }
  return streams;
}

/**
 * Parses GeoJSON (FeatureCollection, Feature, or a bare geometry) whose coordinates are pixel
 * coordinates. Polygon holes are kept; MultiPolygons become several polygons; other geometry
 * types are reported as `not-a-polygon`. Each polygon keeps its Feature's `properties` (for
 * {@link rasterizeClassPolygons}). (Map coordinates must be converted to pixels first.)
 */
export function parseGeoJsonPolygons(json: unknown): ParsedPolygons {
  const polygons: Polygon[] = [];
  const issues: PolygonIssue[] = [];
  // Properties of the enclosing Feature, kept on its polygons (a class per feature).
  const visit = (node: unknown, where: string, properties?: Record<string, unknown>): void => {
    if (node === null || node === undefined) return;
    if (typeof node !== 'object') throw new Error(`${where} is not a GeoJSON object`);
    const object = node as { type?: unknown; [key: string]: unknown };
    switch (object.type) {
      case 'FeatureCollection': {
        if (!Array.isArray(object.features)) throw new Error(`${where}.features is not an array`);
        for (const [i, feature] of object.features.entries()) visit(feature, `features[${i}]`);
        return;
      }
      case 'Feature': {
        const props = object.properties;
        const own =
          props !== null && typeof props === 'object' && !Array.isArray(props)
            ? (props as Record<string, unknown>)
            : undefined;
        visit(object.geometry, `${where}.geometry`, own);
        return;
      }
      case 'GeometryCollection': {
        if (!Array.isArray(object.geometries))
          throw new Error(`${where}.geometries is not an array`);
        for (const [i, geometry] of object.geometries.entries()) {
          visit(geometry, `${where}.geometries[${i}]`, properties);
        }
        return;
      }
      case 'Polygon':
        polygons.push(withProperties({ rings: ringsOf(object.coordinates, where) }, properties));
        return;
      case 'MultiPolygon': {
        if (!Array.isArray(object.coordinates))
          throw new Error(`${where}.coordinates is not an array`);
        object.coordinates.forEach((c, i) => {
          const rings = ringsOf(c, `${where}.coordinates[${i}]`);
          polygons.push(withProperties({ rings }, properties));
        });
        return;
      }
      default:
        if (typeof object.type !== 'string') throw new Error(`${where} has no GeoJSON "type"`);
        issues.push({
          polygon: polygons.length,
          problem: 'not-a-polygon',
          detail: `${where} is a ${object.type}, not a Polygon or MultiPolygon; ignored`,
        });
    }
  };
  if (json === null || typeof json !== 'object') throw new Error('not a GeoJSON object');
  visit(json, 'root');
  return { polygons, issues };
}

function withProperties(polygon: Polygon, properties?: Record<string, unknown>): Polygon {
  return properties ? { ...polygon, properties } : polygon;
}

function ringsOf(coordinates: unknown, where: string): Ring[] {
  if (!Array.isArray(coordinates))
    throw new Error(`${where}: coordinates is not an array of rings`);
  return coordinates.map((ring, r) => {
    if (!Array.isArray(ring) || !ring.every(isPoint)) {
      throw new Error(`${where}: ring ${r} is not an array of [x, y] positions`);
    }
    return ring as Point[];
  });
}

/** Picks the format of an annotation file from its extension and, for `.json`, its content. */
export function detectPolygonFormat(file: string, json?: unknown): Exclude<PolygonFormat, 'auto'> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.txt' || extension === '.csv') return 'text';
  if (extension === '.geojson') return 'geojson';
  if (json && typeof json === 'object' && 'annotations' in json && 'images' in json) return 'coco';
  if (json !== undefined && !Array.isArray(json)) return 'geojson';
  return 'text';
}

/**
 * Reads a text-list or GeoJSON annotation file (COCO files hold many images: use
 * {@link parseCocoAnnotations}).
 * @throws {@link DataFileError} (`bad-polygons`) naming the file when it cannot be read or parsed.
 */
export async function readPolygonFile(
  file: string,
  format: PolygonFormat = 'auto',
): Promise<ParsedPolygons> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw wrapFileError(file, 'bad-polygons', 'cannot read polygon file', error);
  });
  try {
    let json: unknown;
    let jsonError: unknown;
    if (format !== 'text') {
      try {
        json = JSON.parse(text);
      } catch (error) {
        jsonError = error;
      }
    }
    const resolved = format === 'auto' ? detectPolygonFormat(file, json) : format;
    if (resolved !== 'text' && jsonError !== undefined) throw jsonError;
    if (resolved === 'coco') {
      throw new Error(
        'this is a COCO file; pass it as `cocoFile` so images are matched by file_name',
      );
    }
    return resolved === 'geojson' ? parseGeoJsonPolygons(json) : parsePointListText(text);
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(
      file,
      'bad-polygons',
      `cannot parse polygons: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}
