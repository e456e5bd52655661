import { describe, expect, it } from 'vitest';
import type { RasterImage } from './raster.js';
import { resizeBilinear, resizeNearest } from './resize.js';

function raster(width: number, height: number, f: (x: number, y: number) => number): RasterImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { data, width, height, channels: 1 };
}

describe('resizeBilinear', () => {
  it('enlarges by interpolating between pixel centres (hand-computed 2 -> 4)', () => {
    const out = resizeBilinear(
      raster(2, 1, (x) => x),
      4,
      1,
    );
    // Output centres at input coordinates -0.25, 0.25, 0.75, 1.25; edges clamp.
    expect(Array.from(out.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('shrinks by averaging: 2x2 blocks of a checkerboard become grey, no aliasing', () => {
    const out = resizeBilinear(
      raster(8, 8, (x, y) => (x + y) % 2),
      4,
      4,
    );
    // Interior outputs see a symmetric triangle (weights 1/4, 3/4, 3/4, 1/4 along each axis).
    for (const i of [5, 6, 9, 10]) expect(out.data[i]).toBeCloseTo(0.5, 6);
    // At the border the part of the triangle outside the image is dropped and renormalised.
    for (const v of out.data) expect(Math.abs(v - 0.5)).toBeLessThan(0.02);
    // (Plain bilinear sampling at 2x would pick single pixels: all 0 or all 1.)
  });

  it('keeps a constant image constant and values inside the input range', () => {
    const ramp = raster(37, 23, (x, y) => (x * y) / (36 * 22));
    for (const [w, h] of [
      [10, 7],
      [80, 50],
      [37, 5],
    ] as const) {
      const out = resizeBilinear(ramp, w, h);
      expect(Math.min(...out.data)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...out.data)).toBeLessThanOrEqual(1 + 1e-6);
      expect(
        Array.from(
          resizeBilinear(
            raster(37, 23, () => 0.3),
            w,
            h,
          ).data,
        ).every((v) => Math.abs(v - 0.3) < 1e-6),
      ).toBe(true);
    }
  });

  it('resamples every channel the same way', () => {
    const rgb: RasterImage = {
      data: new Float32Array(6 * 4 * 3),
      width: 6,
      height: 4,
      channels: 3,
    };
    for (let i = 0; i < 24; i++) {
      rgb.data[3 * i] = (i % 6) / 5;
      rgb.data[3 * i + 1] = 1 - (i % 6) / 5;
      rgb.data[3 * i + 2] = 0.5;
    }
    const out = resizeBilinear(rgb, 3, 2);
    const grey = resizeBilinear(
      raster(6, 4, (x) => x / 5),
      3,
      2,
    );
    for (let i = 0; i < 6; i++) {
      expect(out.data[3 * i]).toBeCloseTo(grey.data[i]!, 6);
      expect(out.data[3 * i + 1]).toBeCloseTo(1 - grey.data[i]!, 6);
      expect(out.data[3 * i + 2]).toBeCloseTo(0.5, 6);
    }
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() =>
      resizeBilinear(
        raster(4, 4, () => 0),
        0,
        3,
      ),
    ).toThrow(/positive integers/);
  });
});

describe('resizeNearest', () => {
  it('keeps the set of values (labels) and picks pixel centres', () => {
    const labels = { data: Int32Array.from([1, 2, 3, 4]), width: 2, height: 2, channels: 1 };
    const out = resizeNearest(labels, 4, 4);
    expect(Array.from(out.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(out.data).toBeInstanceOf(Int32Array);
  });
});
