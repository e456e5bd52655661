// @unet/infer's building score, checked against @unet/data's rasterizer (hence here, in a
// package that may depend on both).
import { type Polygon, rasterizePolygons } from '@unet/data';
import { buildingScore, intersectionArea, polygonIoU } from '@unet/infer';
import { describe, expect, it } from 'vitest';

const box = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  rings: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ],
  ],
});

describe('polygonIoU (exact areas)', () => {
  it('handles shared edges, touching, nesting, holes, diagonals and closed rings', () => {
    const square = box(0, 0, 10, 10);
    expect(polygonIoU(square, square)).toBe(1);
    expect(polygonIoU(square, box(10, 0, 20, 10))).toBe(0); // touching along an edge
    expect(polygonIoU(square, box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
    expect(polygonIoU(square, box(0, 0, 10, 5))).toBe(0.5); // nested, sharing three edges
    expect(polygonIoU(square, box(2, 2, 8, 8))).toBeCloseTo(0.36, 12);
    const withHole: Polygon = { rings: [square.rings[0]!, box(3, 3, 7, 7).rings[0]!] };
    expect(polygonIoU(withHole, square)).toBeCloseTo(0.84, 12);
    expect(intersectionArea(withHole, box(3, 3, 7, 7))).toBe(0); // the hole itself
    expect(intersectionArea(withHole, box(0, 0, 5, 5))).toBeCloseTo(21, 12);
    const diamond: Polygon = {
      rings: [
        [
          [5, 0],
          [10, 5],
          [5, 10],
          [0, 5],
          [5, 0], // GeoJSON-style closed ring
        ],
      ],
    };
    expect(polygonIoU(diamond, square)).toBeCloseTo(0.5, 12);
    // Clockwise input is as good as counterclockwise.
    const reversed: Polygon = { rings: [[...square.rings[0]!].reverse()] };
    expect(polygonIoU(reversed, box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
    // Two-part footprint: areas add up.
    expect(polygonIoU([box(0, 0, 10, 10), box(20, 0, 30, 10)], box(0, 0, 30, 10))).toBeCloseTo(
      2 / 3,
      12,
    );
  });

  it('agrees with a fine rasterisation on irregular polygons, also at map-coordinate scale', () => {
    const a: Polygon = {
      rings: [
        [
          [1.3, 2.1],
          [17.8, 0.4],
          [19.2, 14.7],
          [9.1, 8.2],
          [2.6, 16.9],
        ],
        [
          [5, 5],
          [8, 6],
          [6, 9],
        ],
      ],
    };
    const b: Polygon = {
      rings: [
        [
          [4.4, -1],
          [21, 6.5],
          [12.5, 19],
          [0.5, 9.9],
        ],
      ],
    };
    const scale = 40;
    const size = 24 * scale;
    const fine = (p: Polygon) =>
      rasterizePolygons(
        [{ rings: p.rings.map((r) => r.map(([x, y]) => [(x + 2) * scale, (y + 2) * scale])) }],
        size,
        size,
      ).mask.data;
    const [ra, rb] = [fine(a), fine(b)];
    let inter = 0;
    let union = 0;
    for (let i = 0; i < ra.length; i++) {
      inter += ra[i]! * rb[i]!;
      union += Math.max(ra[i]!, rb[i]!);
    }
    const exact = polygonIoU(a, b);
    expect(exact).toBeCloseTo(inter / union, 2);
    const shift = (p: Polygon): Polygon => ({
      rings: p.rings.map((r) => r.map(([x, y]) => [x + 733601, y + 3725139])),
    });
    expect(polygonIoU(shift(a), shift(b))).toBeCloseTo(exact, 9);
  });
});

describe('buildingScore (SpaceNet matching)', () => {
  const truth = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)];

  it('counts IoU exactly 0.5 as a match and below it as a false positive', () => {
    const score = buildingScore([box(0, 0, 10, 5), box(25, 0, 35, 10), box(40, 0, 50, 20)], truth);
    // IoU 0.5, 1/3, 0.5
    expect(score).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(score.matches).toEqual([
      { predicted: 0, truth: 0, iou: 0.5 },
      { predicted: 2, truth: 2, iou: 0.5 },
    ]);
    expect(score.precision).toBeCloseTo(2 / 3, 12);
    expect(score.recall).toBeCloseTo(2 / 3, 12);
    expect(score.f1).toBeCloseTo(2 / 3, 12);
  });

  it('matches one to one: a second prediction of a matched building is a false positive', () => {
    const predicted = [box(0, 0, 10, 9), box(0, 0, 10, 10)]; // IoU 0.9 and 1 with truth[0]
    const inOrder = buildingScore(predicted, truth);
    expect(inOrder).toMatchObject({ tp: 1, fp: 1, fn: 2 });
    expect(inOrder.matches).toEqual([{ predicted: 0, truth: 0, iou: 0.9 }]);
    // With confidences the more confident proposal goes first.
    const byConfidence = buildingScore(predicted, truth, { confidences: [0.2, 0.9] });
    expect(byConfidence.matches).toEqual([{ predicted: 1, truth: 0, iou: 1 }]);
  });

  it('is greedy per proposal, as SpaceNet: each takes its best remaining building', () => {
    // Overlapping true footprints T0 = x 0..10, T1 = x 5..15. P0 = x 3..13 has IoU 70/130 with
    // T0 and 80/120 with T1, so it takes T1; P1 = T1 exactly (IoU 1) finds T1 used and T0 at
    // IoU 1/3, so it is a false positive, although P0-T0, P1-T1 would match both.
    const t = [box(0, 0, 10, 10), box(5, 0, 15, 10)];
    const p0 = box(3, 0, 13, 10);
    const p1 = box(5, 0, 15, 10);
    const iou01 = polygonIoU(p0, t[1]!);
    expect(polygonIoU(p0, t[0]!)).toBeCloseTo(70 / 130, 12);
    expect(iou01).toBeCloseTo(80 / 120, 12);
    const score = buildingScore([p0, p1], t);
    expect(score.matches).toEqual([{ predicted: 0, truth: 1, iou: iou01 }]);
    expect(score).toMatchObject({ tp: 1, fp: 1, fn: 1 });
  });

  it('scores empty sets and rejects a wrong number of confidences', () => {
    expect(buildingScore([], [])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(buildingScore([box(0, 0, 1, 1)], [])).toMatchObject({ fp: 1, precision: 0, f1: 0 });
    expect(buildingScore([], truth)).toMatchObject({ fn: 3, recall: 0, f1: 0 });
    expect(() => buildingScore([box(0, 0, 1, 1)], truth, { confidences: [] })).toThrow(
      /0 confidences for 1 predictions/,
    );
  });
});
