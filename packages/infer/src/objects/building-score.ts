/**
 * SpaceNet building-footprint score: precision, recall and F1 at IoU >= 0.5 with one-to-one
 * greedy matching, as SpaceNet's evaluation (solaris `Evaluator.eval_iou`) does: proposals are
 * taken in order (by descending confidence when given), each is matched to the not yet matched
 * true footprint it overlaps most, and counts as a true positive when that IoU is >= the
 * threshold (that footprint is then used up); otherwise it is a false positive. Unmatched true
 * footprints are false negatives.
 *
 * IoU is exact polygon area (as shapely computes it), not a rasterisation: the intersection area
 * is the boundary integral (Green's theorem) over the parts of each polygon's boundary that lie
 * inside the other one. Browser-safe.
 */
import { openRing, type Polygon, ringArea } from './geometry.js';

type XY = [number, number];
type Segment = [XY, XY];

/** Rings opened and oriented (outer positive, holes negative), shifted by `origin`. */
function segmentsOf(polygon: Polygon, origin: XY): Segment[] {
  const segments: Segment[] = [];
  polygon.rings.forEach((raw, r) => {
    let ring: XY[] = openRing(raw).map((p) => [p[0] - origin[0], p[1] - origin[1]]);
    if (ringArea(ring) > 0 !== (r === 0)) ring = ring.reverse();
    for (let i = 0; i < ring.length; i++) segments.push([ring[i]!, ring[(i + 1) % ring.length]!]);
  });
  return segments;
}

const cross = (a: XY, b: XY) => a[0] * b[1] - a[1] * b[0];
const sub = (a: XY, b: XY): XY => [a[0] - b[0], a[1] - b[1]];

/** Inside by even-odd over all rings (outer ring and holes). */
function insideSegments(p: XY, segments: Segment[]): boolean {
  let inside = false;
  for (const [a, b] of segments) {
    if (
      a[1] > p[1] !== b[1] > p[1] &&
      p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]
    ) {
      inside = !inside;
    }
  }
  return inside;
}

/**
 * Sum of x dy - y dx / 2 over the pieces of `own` inside the region bounded by `other`. A piece
 * lying on `other`'s boundary counts only when `countShared` and the two run the same way
 * (both regions on the same side), so a shared edge is counted once and a touching edge never.
 */
function boundaryIntegral(own: Segment[], other: Segment[], eps: number, countShared: boolean) {
  let sum = 0;
  for (const [p, q] of own) {
    const r = sub(q, p);
    const rr = r[0] * r[0] + r[1] * r[1];
    const cuts = [0, 1];
    for (const [c, d] of other) {
      const s = sub(d, c);
      const denominator = cross(r, s);
      const cp = sub(c, p);
      if (Math.abs(denominator) > eps * Math.sqrt(rr * (s[0] * s[0] + s[1] * s[1]))) {
        const t = cross(cp, s) / denominator;
        const u = cross(cp, r) / denominator;
        if (t > 0 && t < 1 && u >= -eps && u <= 1 + eps) cuts.push(t);
      } else if (Math.abs(cross(cp, r)) <= eps * Math.sqrt(rr) * 10) {
        // Collinear: the other segment's ends cut this one.
        for (const e of [c, d]) {
          const t = ((e[0] - p[0]) * r[0] + (e[1] - p[1]) * r[1]) / rr;
          if (t > 0 && t < 1) cuts.push(t);
        }
      }
    }
    cuts.sort((a, b) => a - b);
    for (let k = 0; k + 1 < cuts.length; k++) {
      const [t0, t1] = [cuts[k]!, cuts[k + 1]!];
      if (t1 - t0 <= 1e-12) continue;
      const a: XY = [p[0] + t0 * r[0], p[1] + t0 * r[1]];
      const b: XY = [p[0] + t1 * r[0], p[1] + t1 * r[1]];
      const m: XY = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      const shared = other.find(([c, d]) => distanceToSegment(m, c, d) <= eps);
      if (shared) {
        const s = sub(shared[1], shared[0]);
        if (countShared && r[0] * s[0] + r[1] * s[1] > 0) sum += cross(a, b) / 2;
      } else if (insideSegments(m, other)) sum += cross(a, b) / 2;
    }
  }
  return sum;
}

function distanceToSegment(p: XY, a: XY, b: XY): number {
  const d = sub(b, a);
  const l2 = d[0] * d[0] + d[1] * d[1];
  const t =
    l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2));
  return Math.hypot(p[0] - a[0] - t * d[0], p[1] - a[1] - t * d[1]);
}

/**
 * One footprint: a polygon, or the parts of a multi-part object (a MultiPolygon; its parts do
 * not overlap, so areas add up).
 */
export type Footprint = Polygon | readonly Polygon[];

const partsOf = (f: Footprint): readonly Polygon[] => (Array.isArray(f) ? f : [f as Polygon]);

function bounds(parts: readonly Polygon[]) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of parts) {
    for (const [x, y] of polygon.rings[0] ?? []) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return { x0, y0, x1, y1 };
}

/** Areas of two footprints and of their intersection, exact up to floating point. */
function overlap(a: Footprint, b: Footprint) {
  const pa = partsOf(a);
  const pb = partsOf(b);
  const ba = bounds(pa);
  const bb = bounds(pb);
  // Shift to a nearby origin: map coordinates (UTM northings ~ 4e6) would lose digits in x*y.
  const origin: XY = [Math.min(ba.x0, bb.x0), Math.min(ba.y0, bb.y0)];
  const sa = pa.map((p) => segmentsOf(p, origin));
  const sb = pb.map((p) => segmentsOf(p, origin));
  const area = (parts: Segment[][]) =>
    parts.flat().reduce((sum, [p, q]) => sum + cross(p, q) / 2, 0);
  const areaA = area(sa);
  const areaB = area(sb);
  if (ba.x1 <= bb.x0 || bb.x1 <= ba.x0 || ba.y1 <= bb.y0 || bb.y1 <= ba.y0) {
    return { intersection: 0, areaA, areaB };
  }
  const size = Math.max(ba.x1, bb.x1) - origin[0] + Math.max(ba.y1, bb.y1) - origin[1];
  const eps = 1e-9 * Math.max(1, size);
  let inside = 0;
  for (const x of sa) {
    for (const y of sb) {
      inside += boundaryIntegral(x, y, eps, true) + boundaryIntegral(y, x, eps, false);
    }
  }
  return { intersection: Math.max(0, Math.min(inside, areaA, areaB)), areaA, areaB };
}

/** Exact area of the intersection of two footprints (polygons with holes, or multi-part). */
export function intersectionArea(a: Footprint, b: Footprint): number {
  return overlap(a, b).intersection;
}

/** Intersection over union of two footprints, by exact areas. */
export function polygonIoU(a: Footprint, b: Footprint): number {
  const { intersection, areaA, areaB } = overlap(a, b);
  const union = areaA + areaB - intersection;
  return union > 0 ? intersection / union : 0;
}

/** A true positive: indices into the predicted and true lists. */
export interface BuildingMatch {
  predicted: number;
  truth: number;
  iou: number;
}

/** Result of {@link buildingScore}. */
export interface BuildingScore {
  tp: number;
  fp: number;
  fn: number;
  /** TP / (TP + FP); 1 when there are no predictions and no true footprints, else 0 if none. */
  precision: number;
  /** TP / (TP + FN); 1 when there are no true footprints and no predictions, else 0 if none. */
  recall: number;
  /** 2PR / (P + R), 0 when both are 0. */
  f1: number;
  matches: BuildingMatch[];
}

/** Options of {@link buildingScore}. */
export interface BuildingScoreOptions {
  /** Default 0.5; a pair with IoU exactly at the threshold matches. */
  iouThreshold?: number;
  /** One per prediction: matched in descending order (stable). Default: the given order. */
  confidences?: readonly number[];
}

/**
 * SpaceNet precision / recall / F1 of predicted footprints against true ones (see the module
 * comment). A footprint is a Polygon, or an array of the parts of one multi-part object (e.g.
 * the `polygons` of a traced object), as a MultiPolygon feature is one footprint in SpaceNet.
 */
export function buildingScore(
  predicted: readonly Footprint[],
  truth: readonly Footprint[],
  options: BuildingScoreOptions = {},
): BuildingScore {
  const threshold = options.iouThreshold ?? 0.5;
  const confidences = options.confidences;
  if (confidences && confidences.length !== predicted.length) {
    throw new Error(`${confidences.length} confidences for ${predicted.length} predictions`);
  }
  const order = predicted.map((_, i) => i);
  if (confidences) order.sort((i, j) => confidences[j]! - confidences[i]!);
  const used = new Uint8Array(truth.length);
  const matches: BuildingMatch[] = [];
  for (const p of order) {
    let best = -1;
    let bestIoU = 0;
    truth.forEach((t, k) => {
      if (used[k]) return;
      const iou = polygonIoU(predicted[p]!, t);
      if (iou > bestIoU) {
        best = k;
        bestIoU = iou;
      }
    });
    if (best >= 0 && bestIoU >= threshold) {
      used[best] = 1;
      matches.push({ predicted: p, truth: best, iou: bestIoU });
    }
  }
  const tp = matches.length;
  const fp = predicted.length - tp;
  const fn = truth.length - tp;
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? (fp === 0 ? 1 : 0) : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1, matches };
}
