import { describe, expect, it } from 'vitest';
import { type LabelImage, labelComponents } from '../connected-components.js';
import { instanceScore } from '../instance-score.js';
import { distanceTransform } from './distance-transform.js';
import { INSTANCE_CLASSES, instanceTargets } from './instance-targets.js';
import { splitInstances } from './split-instances.js';
import { hMaximaMarkers, watershed } from './watershed.js';

/** Label map of discs (centre x, centre y, radius); later discs do not overwrite earlier ones. */
function discs(width: number, height: number, list: [number, number, number][]): LabelImage {
  const labels = new Int32Array(width * height);
  list.forEach(([cx, cy, r], k) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (labels[i] === 0 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r) labels[i] = k + 1;
      }
    }
  });
  return { labels, width, height, count: list.length };
}

function unionOf(labels: ArrayLike<number>): Float32Array {
  return Float32Array.from(labels, (l) => (l > 0 ? 1 : 0));
}

/** One-hot (background, interior, boundary) of a 3-class target: a perfect network output. */
function oneHot(target: Uint8Array): Float32Array {
  const out = new Float32Array(target.length * 3);
  target.forEach((c, i) => {
    out[i * 3 + c] = 1;
  });
  return out;
}

describe('distanceTransform', () => {
  it('equals brute-force Euclidean distances to the nearest background pixel', () => {
    const width = 23;
    const height = 17;
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const mask = Float32Array.from({ length: width * height }, () => (random() < 0.8 ? 1 : 0));
    for (const borderIsBackground of [false, true]) {
      const d = distanceTransform(mask, width, height, { borderIsBackground });
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let best = Infinity;
          for (let v = -1; v <= height; v++) {
            for (let u = -1; u <= width; u++) {
              const outside = u < 0 || v < 0 || u >= width || v >= height;
              const background = outside ? borderIsBackground : mask[v * width + u] === 0;
              if (background) best = Math.min(best, Math.hypot(u - x, v - y));
            }
          }
          expect(d[y * width + x]).toBeCloseTo(mask[y * width + x] === 0 ? 0 : best, 5);
        }
      }
    }
  });

  it('gives Infinity when there is no background at all', () => {
    expect(Array.from(distanceTransform(new Float32Array(6).fill(1), 3, 2))).toEqual(
      new Array(6).fill(Infinity),
    );
  });
});

describe('watershed and h-maxima markers', () => {
  it('keeps a peak only when it rises h above the saddle to a higher one', () => {
    // 1-D profile: peaks 5 and 4 with a saddle at 2 between them.
    const f = [0, 3, 5, 3, 2, 3, 4, 3, 0];
    const mask = f.map((v) => (v > 0 ? 1 : 0));
    expect(hMaximaMarkers(f, mask, f.length, 1, 1).count).toBe(2); // 4 - 2 = 2 > 1
    expect(hMaximaMarkers(f, mask, f.length, 1, 1.99).count).toBe(2);
    expect(hMaximaMarkers(f, mask, f.length, 1, 2).count).toBe(1); // exactly h: fused
    // Two equal tops of one ridge (3 _ 3 with a dip of 0.5) stay one marker, the whole plateau.
    const ridge = [0, 1, 3, 2.5, 3, 1, 0];
    const one = hMaximaMarkers(
      ridge,
      ridge.map((v) => (v > 0 ? 1 : 0)),
      7,
      1,
      1,
    );
    expect(one.count).toBe(1);
    expect(Array.from(one.markers)).toEqual([0, 0, 1, 1, 1, 0, 0]);
  });

  it('floods from the markers, lowest surface first, within the mask only', () => {
    const surface = [0, 1, 2, 3, 2, 1, 0];
    const markers = [1, 0, 0, 0, 0, 0, 2];
    const mask = [1, 1, 1, 1, 1, 1, 0];
    expect(Array.from(watershed(surface, markers, mask, 7, 1, 4))).toEqual([1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(watershed(surface, markers, [1, 1, 1, 1, 1, 1, 1], 7, 1, 4))).toEqual([
      1, 1, 1, 1, 2, 2, 2,
    ]);
  });
});

describe('splitInstances on touching discs', () => {
  // Two touching pairs and a chain of three; one free disc. Connected components: 3 objects.
  const truth = discs(120, 80, [
    [20, 20, 10],
    [38, 22, 10],
    [20, 58, 9],
    [36, 58, 9],
    [70, 40, 11],
    [90, 40, 11],
    [110, 40, 9],
  ]);
  const touching = { width: 120, height: 80, union: unionOf(truth.labels) };

  it('connected components merge them, distance-transform markers split them exactly', () => {
    const { union, width, height } = touching;
    expect(labelComponents(union, width, height).count).toBe(3);
    const split = splitInstances(union, width, height);
    expect(split.count).toBe(7);
    const score = instanceScore(truth, split);
    expect(Math.min(...score.bestIoU)).toBeGreaterThan(0.9);
    expect(score.byThreshold[0]!.tp).toBe(7);
  });

  it('a 3-class (background, interior, boundary) output splits them with interior markers', () => {
    const target = instanceTargets(truth.labels, truth.width, truth.height, { boundaryWidth: 1 });
    const split = splitInstances(oneHot(target), truth.width, truth.height, { channels: 3 });
    expect(split.count).toBe(7);
    expect(instanceScore(truth, split).averagePrecision).toBe(1);
    // The 2-channel (interior, boundary) layout gives the same instances.
    const twoChannels = new Float32Array(target.length * 2);
    target.forEach((c, i) => {
      if (c > 0) twoChannels[i * 2 + c - 1] = 1;
    });
    const split2 = splitInstances(twoChannels, truth.width, truth.height, { channels: 2 });
    expect(Array.from(split2.labels)).toEqual(Array.from(split.labels));
  });

  it('still splits them when the predictions are soft (blurred) rather than 0/1', () => {
    const { width, height } = truth;
    // 5x5 box blur of each channel: probabilities ramp over ~4 pixels at every edge.
    const blur = (values: Float32Array, channels: number) => {
      const out = new Float32Array(values.length);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          for (let c = 0; c < channels; c++) {
            let sum = 0;
            let n = 0;
            for (let v = Math.max(0, y - 2); v <= Math.min(height - 1, y + 2); v++) {
              for (let u = Math.max(0, x - 2); u <= Math.min(width - 1, x + 2); u++) {
                sum += values[(v * width + u) * channels + c]!;
                n++;
              }
            }
            out[(y * width + x) * channels + c] = sum / n;
          }
        }
      }
      return out;
    };
    const soft = blur(touching.union, 1);
    expect(splitInstances(soft, width, height).count).toBe(7);
    const target = instanceTargets(truth.labels, width, height, { boundaryWidth: 2 });
    const soft3 = blur(oneHot(target), 3);
    const split = splitInstances(soft3, width, height, { channels: 3 });
    expect(split.count).toBe(7);
    expect(Math.min(...instanceScore(truth, split).bestIoU)).toBeGreaterThan(0.85);
  });

  it('fills holes of single objects, not gaps enclosed by several, and removes specks', () => {
    const width = 40;
    const height = 30;
    const union = unionOf(discs(width, height, [[12, 15, 8]]).labels);
    union[15 * width + 12] = 0; // a one-pixel hole
    union[2 * width + 35] = 1; // a speck
    const split = splitInstances(union, width, height, { minArea: 5 });
    expect(split.count).toBe(1);
    expect(split.labels[15 * width + 12]).toBe(1);
    expect(split.labels[2 * width + 35]).toBe(0);
    const kept = splitInstances(union, width, height, { minArea: 0, fillHoles: false });
    expect(kept.count).toBe(2);
    expect(kept.labels[15 * width + 12]).toBe(0);
    // A background gap enclosed by four objects stays background.
    const ring = new Float32Array(9 * 9);
    for (let y = 1; y < 8; y++) for (let x = 1; x < 8; x++) ring[y * 9 + x] = 1;
    ring[4 * 9 + 4] = 0;
    const quarters = new Int32Array(81);
    for (let y = 1; y < 8; y++) {
      for (let x = 1; x < 8; x++)
        if (ring[y * 9 + x]) quarters[y * 9 + x] = (y < 4 ? 1 : 3) + (x < 4 ? 0 : 1);
    }
    // (Filling holes of the union mask would have filled it.)
    const byTarget = splitInstances(oneHot(instanceTargets(quarters, 9, 9)), 9, 9, {
      channels: 3,
      minArea: 0,
    });
    expect(byTarget.labels[4 * 9 + 4]).toBe(0);
  });

  it('rejects interior markers for a 1-channel probability and a wrong length', () => {
    expect(() => splitInstances(new Float32Array(4), 2, 2, { markers: 'interior' })).toThrow(
      /need an \(interior, boundary\) prediction/,
    );
    expect(() => splitInstances(new Float32Array(5), 2, 2)).toThrow(/expected 2\*2\*1/);
  });
});

describe('instanceTargets', () => {
  it('marks pixels within boundaryWidth of another label or background as boundary', () => {
    // Two 4x3 objects side by side in a 10x5 image.
    const labels = new Int32Array(50);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 9; x++) labels[y * 10 + x] = x < 5 ? 7 : 9;
    const t = instanceTargets(labels, 10, 5, { boundaryWidth: 1 });
    const rows = [];
    for (let y = 0; y < 5; y++) rows.push(Array.from(t.slice(y * 10, y * 10 + 10)).join(''));
    expect(rows).toEqual(['0000000000', '0222222220', '0211221120', '0222222220', '0000000000']);
    expect(INSTANCE_CLASSES).toEqual({ background: 0, interior: 1, boundary: 2 });
    // An object cut by the image border has no boundary along it.
    const edge = instanceTargets(new Int32Array(9).fill(1), 3, 3);
    expect(Array.from(edge)).toEqual(new Array(9).fill(1));
    // Wider band: the 3-pixel-high objects have no interior left.
    expect(Array.from(instanceTargets(labels, 10, 5, { boundaryWidth: 2 }))).not.toContain(1);
    expect(() => instanceTargets(labels, 10, 5, { boundaryWidth: 0 })).toThrow(/boundaryWidth/);
  });
});
