/**
 * Polygons of several classes into one class mask: each polygon's class comes from one of its
 * properties (GeoJSON `properties.class: "building"`), matched to the class list by name or by
 * index, and is drawn with the binary rasterizer's rules (pixel centres, holes even-odd).
 */
import type { ClassList } from './class-list.js';
import type { ClassMask } from './class-mask.js';
import { type Polygon, type RasterizeReport, rasterizeToBinary } from './rasterize.js';

/** Options of {@link rasterizeClassPolygons}. */
export interface ClassPolygonOptions {
  /** Property naming each polygon's class: a class name, or a class index (number). */
  property: string;
  classes: ClassList;
  /** Class of pixels no polygon covers (default 0, the first class, usually background). */
  background?: number;
}

/**
 * Fills `polygons` into a `width` x `height` class mask. Polygons are drawn in order and a later
 * polygon overwrites an earlier one where they overlap (GDAL/rasterio's default "replace").
 *
 * @example
 * ```ts
 * const { polygons } = parseGeoJsonPolygons(json);
 * const { mask } = rasterizeClassPolygons(polygons, 900, 900, { property: 'class', classes });
 * ```
 * @throws naming the polygon when its property is missing or matches no class (a typo in one
 * feature's class must not silently become background).
 */
export function rasterizeClassPolygons(
  polygons: readonly Polygon[],
  width: number,
  height: number,
  options: ClassPolygonOptions,
): { mask: ClassMask; report: RasterizeReport } {
  const { classes, property } = options;
  const background = options.background ?? 0;
  const numClasses = classes.classes.length;
  const allowedBackground =
    (Number.isInteger(background) && background >= 0 && background < numClasses) ||
    background === classes.ignoreIndex;
  if (!allowedBackground) {
    throw new Error(
      `background must be a class index 0..${numClasses - 1} or the ignore index, got ${background}`,
    );
  }
  const classOf = polygons.map((polygon, i) => polygonClass(polygon, i, property, classes));
  const data = new Uint8Array(width * height).fill(background);
  const scratch = { data: new Uint8Array(width * height), width, height };
  const report: RasterizeReport = { polygons: polygons.length, filled: 0, clipped: 0, issues: [] };
  // Consecutive polygons of one class are drawn together (OR-ed, as in the binary masks), each
  // run painted over what earlier runs drew.
  for (let start = 0; start < polygons.length; ) {
    let end = start + 1;
    while (end < polygons.length && classOf[end] === classOf[start]) end++;
    scratch.data.fill(0);
    const run = rasterizeToBinary(polygons.slice(start, end), width, height, scratch);
    report.filled += run.report.filled;
    report.clipped += run.report.clipped;
    for (const issue of run.report.issues)
      report.issues.push({ ...issue, polygon: issue.polygon + start });
    const value = classOf[start]!;
    for (let i = 0; i < data.length; i++) if (scratch.data[i]) data[i] = value;
    start = end;
  }
  return { mask: { data, width, height }, report };
}

function polygonClass(
  polygon: Polygon,
  index: number,
  property: string,
  classes: ClassList,
): number {
  const value = polygon.properties?.[property];
  const numClasses = classes.classes.length;
  if (typeof value === 'string') {
    const found = classes.classes.findIndex((info) => info.name === value);
    if (found >= 0) return found;
  } else if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value < numClasses
  ) {
    return value;
  }
  const names = classes.classes.map((info) => info.name).join(', ');
  const problem =
    value === undefined
      ? `has no "${property}" property`
      : `has ${property} ${JSON.stringify(value)}, which is not a class`;
  throw new Error(
    `polygon ${index} ${problem}; expected one of the class names (${names}) or an index 0..${numClasses - 1}`,
  );
}
