/**
 * Polygon rasterizer: fills polygons (with holes) into a binary mask the way GDAL/rasterio do
 * by default, so masks agree with footprints rasterized by the usual GIS tools.
 *
 * Coordinates are pixel coordinates with (0, 0) at the top-left corner of the top-left pixel;
 * a pixel is set when its centre (x + 0.5, y + 0.5) lies inside the polygon. Rings of one polygon
 * combine even-odd (holes cut out); separate polygons are OR-ed. Parts outside the image are
 * clipped.
 */

import type { Point, Polygon, RasterImage, Ring } from '@unet/infer';
import type { BinaryMask } from './binary-mask.js';
import { binaryMaskToRaster } from './binary-mask.js';

// One polygon type for the toolkit: @unet/infer's (mask -> polygons, GeoJSON, building score).
export type { Point, Polygon, Ring };

/** Why a polygon (or one of its rings) was not (fully) drawn. */
export type PolygonProblem =
  | 'non-finite'
  | 'too-few-points'
  | 'zero-area'
  | 'unclosed-ring'
  | 'not-a-polygon'
  | 'outside-image'
  | 'no-pixels';

/** A polygon that was skipped, partly skipped or covers no pixel. */
export interface PolygonIssue {
  /** Index of the polygon in the input list. */
  polygon: number;
  /** Ring index inside the polygon (0 = outer ring), when the issue is about one ring. */
  ring?: number;
  problem: PolygonProblem;
  detail: string;
}

/** What {@link rasterizePolygons} did. */
export interface RasterizeReport {
  /** Polygons given. */
  polygons: number;
  /** Polygons that set at least one pixel. */
  filled: number;
  /** Polygons reaching outside the image (drawn clipped, or not at all when fully outside). */
  clipped: number;
  /** Degenerate, outside and pixel-less polygons, one entry each. */
  issues: PolygonIssue[];
}

const AREA_EPSILON = 1e-9;

/**
 * Fills `polygons` into a `width` x `height` mask (float {0, 1}, 1 channel).
 *
 * @example
 * ```ts
 * const { mask, report } = rasterizePolygons(
 *   [{ rings: [[[2, 2], [8, 2], [8, 8], [2, 8]]] }], 10, 10);
 * report.issues; // [] — degenerate polygons would be listed here
 * ```
 */
export function rasterizePolygons(
  polygons: readonly Polygon[],
  width: number,
  height: number,
): { mask: RasterImage; report: RasterizeReport } {
  const { mask, report } = rasterizeToBinary(polygons, width, height);
  return { mask: binaryMaskToRaster(mask), report };
}

/** {@link rasterizePolygons} into compact 0/1 bytes. */
export function rasterizeToBinary(
  polygons: readonly Polygon[],
  width: number,
  height: number,
  into?: BinaryMask,
): { mask: BinaryMask; report: RasterizeReport } {
  const mask = into ?? { data: new Uint8Array(width * height), width, height };
  const report: RasterizeReport = { polygons: polygons.length, filled: 0, clipped: 0, issues: [] };
  polygons.forEach((polygon, index) => {
    const rings = usableRings(polygon, index, report.issues);
    if (rings.length === 0) return;
    const box = boundsOf(rings);
    const outside = box.maxX <= 0 || box.maxY <= 0 || box.minX >= width || box.minY >= height;
    if (outside || box.minX < 0 || box.minY < 0 || box.maxX > width || box.maxY > height) {
      report.clipped++;
    }
    if (outside) {
      report.issues.push({
        polygon: index,
        problem: 'outside-image',
        detail: `entirely outside the ${width}x${height} image`,
      });
      return;
    }
    const set = fillEvenOdd(rings, box, mask);
    if (set > 0) report.filled++;
    else {
      report.issues.push({
        polygon: index,
        problem: 'no-pixels',
        detail: 'too small or thin to contain any pixel centre',
      });
    }
  });
  return { mask, report };
}

/** Rings that can be drawn; problems with the others are recorded in `issues`. */
function usableRings(polygon: Polygon, index: number, issues: PolygonIssue[]): Ring[] {
  const usable: Ring[] = [];
  for (let r = 0; r < polygon.rings.length; r++) {
    const ring = polygon.rings[r]!;
    const problem = ringProblem(ring);
    if (problem) {
      issues.push({ polygon: index, ring: r, ...problem });
      if (r === 0) return []; // no outer ring, nothing to draw
      continue;
    }
    usable.push(ring);
  }
  if (polygon.rings.length === 0) {
    issues.push({ polygon: index, problem: 'too-few-points', detail: 'polygon has no rings' });
  }
  return usable;
}

function ringProblem(ring: Ring): { problem: PolygonProblem; detail: string } | undefined {
  for (const point of ring) {
    if (!Number.isFinite(point[0]) || !Number.isFinite(point[1])) {
      return {
        problem: 'non-finite',
        detail: `point ${JSON.stringify(point)} is not a finite [x, y]`,
      };
    }
  }
  const distinct = new Set(ring.map((p) => `${p[0]},${p[1]}`)).size;
  if (distinct < 3) {
    return { problem: 'too-few-points', detail: `ring has ${distinct} distinct point(s), needs 3` };
  }
  let twiceArea = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    twiceArea += a[0] * b[1] - b[0] * a[1];
  }
  if (Math.abs(twiceArea) / 2 < AREA_EPSILON) {
    return { problem: 'zero-area', detail: 'ring has zero area (collinear points)' };
  }
  return undefined;
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function boundsOf(rings: readonly Ring[]): Box {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const ring of rings) {
    for (const [x, y] of ring) {
      box.minX = Math.min(box.minX, x);
      box.maxX = Math.max(box.maxX, x);
      box.minY = Math.min(box.minY, y);
      box.maxY = Math.max(box.maxY, y);
    }
  }
  return box;
}

/**
 * Scanline fill at pixel centres; crossings of all rings are paired even-odd. Edges are half-open
 * in y and spans cover columns floor(xa + 0.5) .. floor(xb + 0.5) - 1, as in GDAL.
 * Returns the number of pixels inside the polygon (within the image).
 */
function fillEvenOdd(rings: readonly Ring[], box: Box, mask: BinaryMask): number {
  const { width, height, data } = mask;
  const edges: number[] = []; // x0, y0, x1, y1 with y0 < y1
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]!;
      const b = ring[(i + 1) % ring.length]!;
      if (a[1] === b[1]) continue; // horizontal edges never cross a scanline
      if (a[1] < b[1]) edges.push(a[0], a[1], b[0], b[1]);
      else edges.push(b[0], b[1], a[0], a[1]);
    }
  }
  const firstRow = Math.max(0, Math.floor(box.minY - 0.5));
  const lastRow = Math.min(height - 1, Math.ceil(box.maxY - 0.5));
  const crossings: number[] = [];
  let inside = 0;
  for (let row = firstRow; row <= lastRow; row++) {
    const yc = row + 0.5;
    crossings.length = 0;
    for (let e = 0; e < edges.length; e += 4) {
      const y0 = edges[e + 1]!;
      const y1 = edges[e + 3]!;
      if (yc < y0 || yc >= y1) continue;
      const x0 = edges[e]!;
      crossings.push(x0 + ((yc - y0) * (edges[e + 2]! - x0)) / (y1 - y0));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const start = Math.max(0, Math.floor(crossings[k]! + 0.5));
      const end = Math.min(width, Math.floor(crossings[k + 1]! + 0.5));
      const offset = row * width;
      for (let col = start; col < end; col++) data[offset + col] = 1;
      if (end > start) inside += end - start;
    }
  }
  return inside;
}
