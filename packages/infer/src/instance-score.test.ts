import {
  confusionCounts,
  DSB_IOU_THRESHOLDS,
  evaluateMasks,
  instanceScore,
  type LabelImage,
  labelComponents,
  maskInstanceScore,
  scoresFromCounts,
  toLabelImage,
} from '@unet/infer';
import { describe, expect, it } from 'vitest';

/** Grid from rows of characters: '.' = 0, any other character = 1. */
function mask(rows: string[]) {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Float32Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '.' ? 0 : 1;
  });
  return { data, width, height };
}

/** Label map from rows of characters: '.' = background, each other character one object. */
function labels(rows: string[]): LabelImage {
  const { width, height } = mask(rows);
  const ids = new Int32Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) ids[y * width + x] = row[x] === '.' ? 0 : row.charCodeAt(x);
  });
  return toLabelImage(ids, width, height);
}

function components(rows: string[], connectivity: 4 | 8) {
  const { data, width, height } = mask(rows);
  return labelComponents(data, width, height, { connectivity });
}

/** Reference labelling by breadth-first flood fill, numbering in raster order. */
function floodFill(data: Float32Array, width: number, height: number, connectivity: 4 | 8) {
  const out = new Int32Array(width * height);
  const steps =
    connectivity === 4
      ? [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ]
      : [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
          [1, 1],
          [1, -1],
          [-1, 1],
          [-1, -1],
        ];
  let count = 0;
  for (let start = 0; start < out.length; start++) {
    if (data[start]! <= 0.5 || out[start] !== 0) continue;
    count += 1;
    out[start] = count;
    const queue = [start];
    while (queue.length > 0) {
      const p = queue.pop()!;
      const px = p % width;
      const py = Math.floor(p / width);
      for (const [dx, dy] of steps) {
        const x = px + dx!;
        const y = py + dy!;
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const q = y * width + x;
        if (data[q]! > 0.5 && out[q] === 0) {
          out[q] = count;
          queue.push(q);
        }
      }
    }
  }
  return { labels: out, count };
}

describe('labelComponents', () => {
  const grid = [
    '##..#', //
    '.#.#.',
    '.....',
    '#..##',
  ];

  it('8-connectivity joins corner neighbours; objects numbered in raster order', () => {
    const { labels: l, count } = components(grid, 8);
    expect(count).toBe(4);
    expect(Array.from(l)).toEqual([
      1,
      1,
      0,
      0,
      2, //
      0,
      1,
      0,
      2,
      0,
      0,
      0,
      0,
      0,
      0,
      3,
      0,
      0,
      4,
      4,
    ]);
  });

  it('4-connectivity keeps diagonal neighbours apart', () => {
    const { labels: l, count } = components(grid, 4);
    expect(count).toBe(5);
    expect(Array.from(l)).toEqual([
      1,
      1,
      0,
      0,
      2, //
      0,
      1,
      0,
      3,
      0,
      0,
      0,
      0,
      0,
      0,
      4,
      0,
      0,
      5,
      5,
    ]);
  });

  it('merges provisional labels that meet later (U and comb shapes), and handles empty and full masks', () => {
    expect(components(['#.#', '#.#', '###'], 4).count).toBe(1);
    expect(components(['#.#.#', '#.#.#', '#####'], 4).count).toBe(1);
    expect(components(['#...', '.#..', '..#.', '...#'], 8).count).toBe(1);
    expect(components(['#...', '.#..', '..#.', '...#'], 4).count).toBe(4);
    expect(components(['...', '...'], 8).count).toBe(0);
    expect(components(['###', '###'], 4).count).toBe(1);
    expect(() => labelComponents(new Float32Array(5), 2, 2)).toThrow(
      /expected width\*height = 2\*2/,
    );
  });

  it('agrees with a flood fill on random masks', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const density of [0.3, 0.5, 0.62]) {
      const width = 97;
      const height = 61;
      const data = Float32Array.from({ length: width * height }, () =>
        random() < density ? 1 : 0,
      );
      for (const connectivity of [4, 8] as const) {
        const ours = labelComponents(data, width, height, { connectivity });
        const reference = floodFill(data, width, height, connectivity);
        expect(ours.count).toBe(reference.count);
        expect(Array.from(ours.labels)).toEqual(Array.from(reference.labels));
      }
    }
  });
});

describe('DSB2018 instance score', () => {
  it('uses the ten thresholds 0.5..0.95', () => {
    expect(DSB_IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
  });

  it('perfect prediction scores 1', () => {
    const truth = labels(['aa..', 'aa.b', '...b']);
    expect(instanceScore(truth, truth).averagePrecision).toBe(1);
  });

  it('IoU 4/6: a match at t = 0.5, 0.55, 0.6, 0.65 only, so AP = 4/10', () => {
    // truth: 2x2 square (4 px); prediction: the square plus 2 pixels -> IoU = 4/6 = 0.667.
    const truth = labels(['.....', '.aa..', '.aa..', '.....']);
    const predicted = labels(['.....', '.aaa.', '.aaa.', '.....']);
    const score = instanceScore(truth, predicted);
    expect(score.bestIoU[0]).toBeCloseTo(4 / 6, 12);
    expect(score.byThreshold.map((c) => c.precision)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    // Unmatched at t >= 0.7: TP 0, FP 1, FN 1.
    expect(score.byThreshold[4]).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(score.averagePrecision).toBeCloseTo(0.4, 12);
  });

  it('IoU exactly 0.8 does not match at t = 0.8 (strictly greater): AP = 6/10', () => {
    // truth 10 px, prediction 8 of them -> IoU = 8/10.
    const truth = labels(['aaaaa', 'aaaaa']);
    const predicted = labels(['aaaa.', 'aaaa.']);
    expect(instanceScore(truth, predicted).averagePrecision).toBeCloseTo(0.6, 12);
  });

  it('a prediction merging two touching nuclei (IoU 0.5 with each) matches neither: AP = 0', () => {
    const truth = labels(['aabb', 'aabb']);
    const predicted = labels(['pppp', 'pppp']);
    const score = instanceScore(truth, predicted);
    expect(score.byThreshold[0]).toMatchObject({ tp: 0, fp: 1, fn: 2 });
    expect(score.averagePrecision).toBe(0);
    // With the truth given as a binary mask its connected components merge the nuclei too: AP 1.
    const binary = mask(['####', '####']);
    expect(maskInstanceScore(binary.data, binary.data, 4, 2).averagePrecision).toBe(1);
    expect(maskInstanceScore(binary.data, truth, 4, 2).averagePrecision).toBe(0);
  });

  it('mixed case: exact, IoU 0.7, missed and invented objects: AP = 0.32', () => {
    // A exact; B: 7 of its 10 px predicted (IoU 0.7); C missed; D invented.
    // t <= 0.65: TP 2 (A, B), FP 1 (D), FN 1 (C) -> 2/4 = 0.5   (4 thresholds)
    // t >= 0.7:  TP 1 (A), FP 2 (B', D), FN 2 (B, C) -> 1/5 = 0.2 (6 thresholds)
    // AP = (4 * 0.5 + 6 * 0.2) / 10 = 0.32
    const truth = labels(['aa.bbbbb..', 'aa.bbbbb..', '..........', 'cc........']);
    const predicted = labels(['aa.bbbb...', 'aa.bbb....', '..........', '.......ddd']);
    const score = instanceScore(truth, predicted);
    expect(score.byThreshold.map((c) => c.precision)).toEqual([
      0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
    ]);
    expect(score.averagePrecision).toBeCloseTo(0.32, 12);
    expect(score.trueCount).toBe(3);
    expect(score.predictedCount).toBe(3);
  });

  it('empty images: nothing to find and nothing found scores 1; otherwise 0', () => {
    const empty = labels(['....']);
    const one = labels(['.a..']);
    expect(instanceScore(empty, empty).averagePrecision).toBe(1);
    expect(instanceScore(empty, one).averagePrecision).toBe(0);
    expect(instanceScore(one, empty).averagePrecision).toBe(0);
  });
});

describe('pixel scores', () => {
  it('Dice, IoU, precision and recall per image, pooled and averaged', () => {
    // Image 1: truth = 2x2 block; prediction 0.9 on it, 0.6 and 0.4 outside.
    // At 0.5: TP 4, FP 1, FN 0 -> Dice 8/9, IoU 4/5, precision 4/5, recall 1.
    const truth1 = mask(['##..', '##..', '....', '....']);
    const pred1 = new Float32Array(16);
    for (const i of [0, 1, 4, 5]) pred1[i] = 0.9;
    pred1[10] = 0.6;
    pred1[12] = 0.4;
    const truth2 = mask(['....', '....', '....', '....']);
    const pairs = [
      {
        name: 'one',
        predicted: { data: pred1, width: 4, height: 4, channels: 1 },
        truth: { ...truth1, channels: 1 },
      },
      { name: 'empty', predicted: { ...truth2, channels: 1 }, truth: { ...truth2, channels: 1 } },
    ];
    const report = evaluateMasks(pairs);
    expect(report.perImage[0]).toMatchObject({
      name: 'one',
      tp: 4,
      fp: 1,
      fn: 0,
      tn: 11,
      iou: 0.8,
      precision: 0.8,
      recall: 1,
    });
    expect(report.perImage[0]!.dice).toBeCloseTo(8 / 9, 12);
    expect(report.perImage[1]).toMatchObject({ dice: 1, iou: 1, precision: 1, recall: 1 });
    expect(report.overall).toMatchObject({ tp: 4, fp: 1, fn: 0, iou: 0.8 });
    expect(report.mean.dice).toBeCloseTo((8 / 9 + 1) / 2, 12);
    expect(report.meanAveragePrecision).toBeUndefined();
    // Lower threshold: the 0.4 pixel becomes a false positive; instance scoring on request.
    // Pixel (2,2) touches the block at a corner (one object with 8-connectivity); (0,3) is apart.
    const low = evaluateMasks(pairs, { threshold: 0.35, instances: true });
    expect(low.perImage[0]).toMatchObject({ fp: 2, predictedInstances: 2, trueInstances: 1 });
    expect(low.meanAveragePrecision).toBeCloseTo((low.perImage[0]!.averagePrecision! + 1) / 2, 12);
    expect(scoresFromCounts(confusionCounts([0, 0], [1, 0]))).toEqual({
      dice: 0,
      iou: 0,
      precision: 0,
      recall: 0,
    });
  });
});
