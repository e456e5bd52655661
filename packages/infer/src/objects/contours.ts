/**
 * Mask -> polygons: the outer ring and holes of each object, traced along pixel edges (vertices
 * at pixel corners, (0, 0) = top-left corner of the top-left pixel), then optionally simplified
 * with Douglas-Peucker. Browser-safe (typed arrays only).
 *
 * Tracing on the pixel-edge grid (rather than through pixel centres, as marching squares at 0.5
 * does) makes an unsimplified polygon enclose exactly the object's pixel centres, so rasterising
 * it back (GDAL's centre rule, `rasterizePolygons` of @unet/data) gives the same pixels.
 */
import { labelComponents } from '../connected-components.js';
import {
  type Point,
  type Polygon,
  pointInRing,
  type Ring,
  ringArea,
  simplifyPolygon,
} from './geometry.js';

/** One object's polygons: usually one, several when the object is in 4-disconnected parts. */
export interface ObjectPolygons {
  /** The object's label in the label map. */
  label: number;
  /** Pixels of the object. */
  area: number;
  /** Each: outer ring then holes; rings do not repeat their first point. */
  polygons: Polygon[];
}

/** Options of {@link traceLabels} and {@link maskToPolygons}. */
export interface TraceOptions {
  /**
   * Douglas-Peucker tolerance in pixels: no dropped vertex lies farther than this from the
   * simplified ring. Default 0 (exact pixel outlines, only collinear vertices removed).
   */
  tolerance?: number;
}

// Directions of travel: east, south, west, north (y grows downwards).
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/**
 * Polygons of every object of a label map (0 = background). Each object's rings run with the
 * object on their right in image coordinates (y down), i.e. a positive shoelace area for outer
 * rings and a negative one for holes. Parts of one label that touch only at a corner become
 * separate polygons (4-connectivity, as rasterio's `shapes`), so no ring touches itself.
 */
export function traceLabels(
  labels: ArrayLike<number>,
  width: number,
  height: number,
  options: TraceOptions = {},
): ObjectPolygons[] {
  if (labels.length !== width * height) {
    throw new Error(`labels has ${labels.length} values, expected ${width}*${height}`);
  }
  const tolerance = options.tolerance ?? 0;
  if (!(tolerance >= 0)) throw new Error(`tolerance must be >= 0, got ${tolerance}`);
  // Bounding box and area of each label, so each object is traced on its own small grid.
  const boxes = new Map<number, { x0: number; y0: number; x1: number; y1: number; area: number }>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x]!;
      if (l === 0) continue;
      const b = boxes.get(l);
      if (!b) boxes.set(l, { x0: x, y0: y, x1: x, y1: y, area: 1 });
      else {
        b.x0 = Math.min(b.x0, x);
        b.x1 = Math.max(b.x1, x);
        b.y1 = y;
        b.area++;
      }
    }
  }
  const objects: ObjectPolygons[] = [];
  for (const [label, box] of boxes) {
    const polygons = groupRings(traceObject(labels, width, label, box));
    objects.push({
      label,
      area: box.area,
      polygons: polygons.map((p) =>
        tolerance > 0
          ? simplifyPolygon({ rings: p.rings.map(edgeMidpoints) }, tolerance)
          : { rings: p.rings.map(dropStraightCorners) },
      ),
    });
  }
  return objects.sort((a, b) => a.label - b.label);
}

/**
 * Polygons of the connected regions of a binary mask (value > threshold, default 0.5), one
 * object per 4-connected region, labelled 1..count in raster order.
 */
export function maskToPolygons(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  options: TraceOptions & { threshold?: number } = {},
): ObjectPolygons[] {
  const { labels } = labelComponents(mask, width, height, {
    connectivity: 4,
    threshold: options.threshold,
  });
  return traceLabels(labels, width, height, options);
}

/** All boundary rings of one label: boundary edges linked into simple closed loops. */
function traceObject(
  labels: ArrayLike<number>,
  width: number,
  label: number,
  box: { x0: number; y0: number; x1: number; y1: number },
): Point[][] {
  const gw = box.x1 - box.x0 + 1; // pixels in the box
  const gh = box.y1 - box.y0 + 1;
  const cw = gw + 1; // corners per row of the box
  const inside = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < gw && y < gh && labels[(y + box.y0) * width + x + box.x0] === label;
  // edges[corner] = bit set of the directions of the boundary edges leaving that corner, each
  // edge running with the object on its right.
  const edges = new Uint8Array(cw * (gh + 1));
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      if (!inside(x, y)) continue;
      if (!inside(x, y - 1)) edges[y * cw + x]! |= 1 << 0; // top side, eastwards
      if (!inside(x + 1, y)) edges[y * cw + x + 1]! |= 1 << 1; // right side, southwards
      if (!inside(x, y + 1)) edges[(y + 1) * cw + x + 1]! |= 1 << 2; // bottom side, westwards
      if (!inside(x - 1, y)) edges[(y + 1) * cw + x]! |= 1 << 3; // left side, northwards
    }
  }
  const unused = edges.slice();
  const rings: Point[][] = [];
  for (let start = 0; start < unused.length; start++) {
    while (unused[start] !== 0) {
      const startDir = [0, 1, 2, 3].find((d) => (unused[start]! & (1 << d)) !== 0)!;
      const walk: number[] = [];
      let corner = start;
      let dir = startDir;
      for (;;) {
        unused[corner]! &= ~(1 << dir);
        walk.push(corner);
        corner += DY[dir]! * cw + DX[dir]!;
        // Where two diagonal pixels belong to the object a corner has two ways on: the right
        // turn hugs the current pixel, leaving the diagonal one to another loop (4-connectivity).
        // Elsewhere there is exactly one way on (never back along the same edge).
        const next = [(dir + 1) % 4, dir, (dir + 3) % 4].find(
          (d) => (edges[corner]! & (1 << d)) !== 0,
        )!;
        if (corner === start && next === startDir) break;
        dir = next;
      }
      for (const loop of simpleLoops(walk)) rings.push(cornerPoints(loop, cw, box));
    }
  }
  return rings;
}

/**
 * Splits a closed walk that passes a corner twice (an inlet pinched to a point, where a ring
 * would touch itself) into simple loops, so every ring is valid as an OGC/GeoJSON ring.
 */
function simpleLoops(walk: number[]): number[][] {
  const loops: number[][] = [];
  const stack: number[] = [];
  const position = new Map<number, number>();
  for (const corner of walk) {
    const seen = position.get(corner);
    if (seen !== undefined) {
      const loop = stack.splice(seen);
      for (const c of loop) position.delete(c);
      loops.push(loop);
    }
    position.set(corner, stack.length);
    stack.push(corner);
  }
  loops.push(stack);
  return loops;
}

/** Corner indices of a loop -> image coordinates (every corner, one pixel edge apart). */
function cornerPoints(loop: number[], cw: number, box: { x0: number; y0: number }): Point[] {
  return loop.map((c): Point => [(c % cw) + box.x0, Math.floor(c / cw) + box.y0]);
}

/** Keeps only the corners where a ring turns. */
function dropStraightCorners(ring: Ring): Point[] {
  return ring.filter((p, k) => {
    const a = ring[(k + ring.length - 1) % ring.length]!;
    const b = ring[(k + 1) % ring.length]!;
    return (p[0] - a[0]) * (b[1] - p[1]) - (p[1] - a[1]) * (b[0] - p[0]) !== 0;
  });
}

/**
 * The ring through the midpoints of its pixel edges: the start for simplification. Simplifying
 * the corner outline keeps mostly convex corners (the points farthest from any chord), which
 * grows the shape by about a third of a pixel all round (pixel IoU 0.985 at 1 px in the test);
 * the midpoints of a straight staircase lie on its line, so they simplify without that bias. It
 * still encloses exactly the same pixel centres (it cuts 1/8 pixel off convex corners and adds
 * 1/8 at concave ones).
 */
function edgeMidpoints(ring: Ring): Point[] {
  const midpoints = ring.map((p, k): Point => {
    const q = ring[(k + 1) % ring.length]!;
    return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
  });
  return dropStraightCorners(midpoints);
}

/**
 * Outer rings (positive shoelace area) each with the holes (negative area) they directly
 * enclose. A hole is placed by a background pixel centre just inside it, which lies strictly
 * inside its enclosing outer ring and off every pixel edge, so the test is exact.
 */
function groupRings(rings: Point[][]): Polygon[] {
  const outers = rings
    .filter((r) => ringArea(r) > 0)
    .map((r) => ({ ring: r, holes: [] as Ring[] }));
  outers.sort((a, b) => ringArea(a.ring) - ringArea(b.ring)); // smallest enclosing ring first
  for (const hole of rings.filter((r) => ringArea(r) < 0)) {
    const [a, b] = [hole[0]!, hole[1]!];
    const dx = Math.sign(b[0] - a[0]);
    const dy = Math.sign(b[1] - a[1]);
    // Left of the direction of travel is outside the object, i.e. inside the hole.
    const probe: Point = [a[0] + dx * 0.5 + dy * 0.5, a[1] + dy * 0.5 - dx * 0.5];
    const owner = outers.find((o) => pointInRing(probe, o.ring));
    if (!owner) throw new Error('internal error: a hole outside every outer ring');
    owner.holes.push(hole);
  }
  return outers.map((o) => ({ rings: [o.ring, ...o.holes] }));
}
