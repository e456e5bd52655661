/**
 * Small polygon helpers shared by tracing, GeoJSON output and the building score: signed area,
 * point in ring, Douglas-Peucker simplification. Browser-safe.
 */

// The polygon shapes of @unet/data's rasterizer and GeoJSON reader, declared here rather than
// imported: these modules go to a browser package, which cannot depend on the Node-only data
// package. The types are structurally identical, so polygons pass between the two unchanged.

/** `[x, y]` (extra values such as z are ignored). */
export type Point = readonly [number, number, ...number[]];

/** A closed ring; repeating the first point at the end is allowed, not required. */
export type Ring = readonly Point[];

/** An outer ring followed by zero or more holes. */
export interface Polygon {
  rings: readonly Ring[];
}

/** Shoelace area of a ring (first point not repeated): positive when x->y turns left. */
export function ringArea(ring: Ring): number {
  let twice = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return twice / 2;
}

/** Area of a polygon: outer ring minus holes, whatever their orientation. */
export function polygonArea(polygon: Polygon): number {
  return polygon.rings.reduce(
    (sum, ring, r) => sum + (r === 0 ? 1 : -1) * Math.abs(ringArea(ring)),
    0,
  );
}

/** Even-odd point in ring; points exactly on an edge may go either way. */
export function pointInRing(point: Point, ring: Ring): boolean {
  const [px, py] = point;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Drops a repeated closing point, as GeoJSON rings have one and ours do not. */
export function openRing(ring: Ring): Ring {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && first![0] === last![0] && first![1] === last![1]) {
    return ring.slice(0, -1);
  }
  return ring;
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t =
    length2 === 0
      ? 0
      : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** Douglas-Peucker on the open chain points[first..last]; marks kept vertices in `keep`. */
function simplifyChain(
  points: Ring,
  first: number,
  last: number,
  tolerance: number,
  keep: Uint8Array,
) {
  const stack: [number, number][] = [[first, last]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    let worst = -1;
    let worstDistance = tolerance;
    for (let k = i + 1; k < j; k++) {
      const d = distanceToSegment(points[k]!, points[i]!, points[j % points.length]!);
      if (d > worstDistance) {
        worst = k;
        worstDistance = d;
      }
    }
    if (worst < 0) continue;
    keep[worst] = 1;
    stack.push([i, worst], [worst, j]);
  }
}

/**
 * Douglas-Peucker simplification of a closed ring: no dropped vertex is farther than `tolerance`
 * from the result. The ring is cut at its first vertex and the vertex farthest from it, and both
 * halves are simplified as chains. May return fewer than 3 points for a ring thinner than the
 * tolerance; it does not prevent the result from crossing other rings.
 */
export function simplifyRing(ring: Ring, tolerance: number): Ring {
  const n = ring.length;
  if (n <= 3 || tolerance <= 0) return ring;
  let far = 0;
  let farDistance = -1;
  for (let k = 1; k < n; k++) {
    const d = Math.hypot(ring[k]![0] - ring[0]![0], ring[k]![1] - ring[0]![1]);
    if (d > farDistance) {
      far = k;
      farDistance = d;
    }
  }
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[far] = 1;
  simplifyChain(ring, 0, far, tolerance, keep);
  simplifyChain(ring, far, n, tolerance, keep); // index n is vertex 0 again
  return ring.filter((_, k) => keep[k] === 1);
}

/**
 * Simplifies every ring of a polygon; a hole that collapses (fewer than 3 points) is dropped, an
 * outer ring that collapses is kept unsimplified so the object does not disappear.
 */
export function simplifyPolygon(polygon: Polygon, tolerance: number): Polygon {
  const rings: Ring[] = [];
  polygon.rings.forEach((ring, r) => {
    const simple = simplifyRing(ring, tolerance);
    if (simple.length >= 3 && ringArea(simple) !== 0) rings.push(simple);
    else if (r === 0) rings.push(ring);
  });
  return { rings };
}
