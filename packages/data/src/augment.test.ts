import { augmentPair, createRandom, type RasterImage } from '@unet/data';
import { describe, expect, it } from 'vitest';
import { iou, isZeroOne } from './test-support.js';

/** A 3-channel image whose channels encode x, y and a blob; the mask is the blob. */
function makePair(width: number, height: number): { image: RasterImage; mask: RasterImage } {
  const image = new Float32Array(width * height * 3);
  const mask = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside =
        (x - width * 0.3) ** 2 + (y - height * 0.4) ** 2 < (Math.min(width, height) * 0.2) ** 2;
      image[i * 3] = x / (width - 1);
      image[i * 3 + 1] = y / (height - 1);
      image[i * 3 + 2] = inside ? 1 : 0;
      mask[i] = inside ? 1 : 0;
    }
  }
  return {
    image: { data: image, width, height, channels: 3 },
    mask: { data: mask, width, height, channels: 1 },
  };
}

function blobChannel(image: RasterImage): Float32Array {
  const out = new Float32Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i * 3 + 2]!;
  return out;
}

describe('augmentPair', () => {
  it('moves image and mask pixels identically under flips and rotations', () => {
    const pair = makePair(24, 24);
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const { image, mask } = augmentPair(pair.image, pair.mask, createRandom(seed), {});
      expect(Array.from(mask.data)).toEqual(Array.from(blobChannel(image)));
      // record which transform happened through the position of pixel (0, 0)
      seen.add(`${image.data[0]},${image.data[1]}`);
    }
    expect(seen.size).toBe(4); // the four corners all came to (0, 0)
  });

  it('keeps the shape of non-square images (only 0 or 180 degrees)', () => {
    const pair = makePair(30, 20);
    for (let seed = 0; seed < 20; seed++) {
      const { image, mask } = augmentPair(pair.image, pair.mask, createRandom(seed), {});
      expect([image.width, image.height, mask.width, mask.height]).toEqual([30, 20, 30, 20]);
      expect(Array.from(mask.data)).toEqual(Array.from(blobChannel(image)));
    }
  });

  it('deforms elastically the same way for image and mask, keeping the mask binary', () => {
    const pair = makePair(64, 64);
    let changed = 0;
    for (let seed = 0; seed < 6; seed++) {
      const { image, mask } = augmentPair(pair.image, pair.mask, createRandom(seed), {
        flipHorizontal: false,
        flipVertical: false,
        rotate90: false,
        elastic: { probability: 1, alpha: 3, sigma: 6 },
      });
      expect(isZeroOne(mask.data)).toBe(true);
      const blob = blobChannel(image).map((v) => (v >= 0.5 ? 1 : 0));
      expect(iou(mask.data, blob)).toBeGreaterThan(0.99);
      if (iou(mask.data, pair.mask.data) < 0.999) changed++;
    }
    expect(changed).toBeGreaterThan(3);
  });

  it('is reproducible from the seed', () => {
    const pair = makePair(32, 32);
    const options = { elastic: { probability: 1 } };
    const a = augmentPair(pair.image, pair.mask, createRandom('s'), options);
    const b = augmentPair(pair.image, pair.mask, createRandom('s'), options);
    expect(a.image.data).toEqual(b.image.data);
    expect(a.mask.data).toEqual(b.mask.data);
  });

  it('rejects a mask of another size', () => {
    const pair = makePair(8, 8);
    const other = makePair(8, 9);
    expect(() => augmentPair(pair.image, other.mask, createRandom(1))).toThrow(/mask is 8x9/);
  });
});

/** An RGB ramp (channel 0 = x, channel 1 = y, both in pixels / 100) and a mask of 4-px stripes. */
function makeStripes(width: number, height: number, classes: number) {
  const image = new Float32Array(width * height * 3);
  const mask = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      image[i * 3] = x / 100;
      image[i * 3 + 1] = y / 100;
      image[i * 3 + 2] = 0.5;
      mask[i] = Math.floor(x / 4) % classes;
    }
  }
  return {
    image: { data: image, width, height, channels: 3 } as RasterImage,
    mask: { data: mask, width, height, channels: 1 } as RasterImage,
  };
}

const GEOMETRY_OFF = { flipHorizontal: false, flipVertical: false, rotate90: false };

describe('augmentPair zoom', () => {
  it('samples a window of 1/scale of each side, image and class mask at the same places', () => {
    const pair = makeStripes(40, 30, 5);
    let zoomed = 0;
    for (let seed = 0; seed < 12; seed++) {
      const { image, mask } = augmentPair(pair.image, pair.mask, createRandom(seed), {
        ...GEOMETRY_OFF,
        zoom: { probability: 1, maxScale: 2 },
      });
      expect([image.width, image.height, mask.width, mask.height]).toEqual([40, 30, 40, 30]);
      // A linear ramp survives bilinear sampling exactly: channel 0 is the source x of each pixel.
      const sourceX = (x: number, y: number) => image.data[(y * 40 + x) * 3]! * 100;
      const step = (sourceX(39, 10) - sourceX(0, 10)) / 39;
      expect(step).toBeGreaterThanOrEqual(0.5 - 1e-5); // scale at most 2
      expect(step).toBeLessThanOrEqual(1 + 1e-5);
      if (step < 0.999) zoomed++;
      for (let y = 0; y < 30; y++) {
        for (let x = 0; x < 40; x++) {
          const sx = sourceX(x, y);
          const frac = sx - Math.floor(sx);
          if (Math.abs(frac - 0.5) < 1e-3) continue; // a tie: either neighbour is right
          const nearest = frac < 0.5 ? Math.floor(sx) : Math.floor(sx) + 1;
          expect(mask.data[y * 40 + x]).toBe(Math.floor(nearest / 4) % 5);
        }
      }
      expect(image.data[2]).toBeCloseTo(0.5, 6);
    }
    expect(zoomed).toBeGreaterThan(8);
  });

  it('keeps binary masks binary and draws nothing when off', () => {
    const pair = makePair(32, 32);
    let changed = 0;
    for (let seed = 0; seed < 5; seed++) {
      const zoomed = augmentPair(pair.image, pair.mask, createRandom(seed), {
        ...GEOMETRY_OFF,
        zoom: { probability: 1, maxScale: 2 },
      });
      expect(isZeroOne(zoomed.mask.data)).toBe(true);
      if (iou(zoomed.mask.data, pair.mask.data) < 0.95) changed++;
    }
    expect(changed).toBeGreaterThan(2);
    // Without zoom or colour the same seed gives what it gave before these options existed.
    const a = augmentPair(pair.image, pair.mask, createRandom('k'), {});
    const b = augmentPair(pair.image, pair.mask, createRandom('k'), { zoom: false, colour: false });
    expect(a.image.data).toEqual(b.image.data);
  });

  it('rejects a zoom factor below 1', () => {
    const pair = makePair(8, 8);
    expect(() =>
      augmentPair(pair.image, pair.mask, createRandom(1), {
        zoom: { probability: 1, maxScale: 0.5 },
      }),
    ).toThrow(/maxScale must be >= 1/);
  });
});

describe('augmentPair colour', () => {
  it('changes the image only, within [0, 1], by one brightness shift when that is all it draws', () => {
    const pair = makeStripes(20, 10, 3);
    const { image, mask } = augmentPair(pair.image, pair.mask, createRandom(7), {
      ...GEOMETRY_OFF,
      colour: { probability: 1, brightness: 0.3, contrast: 0, saturation: 0 },
    });
    expect(mask.data).toEqual(pair.mask.data);
    const shift = image.data[2]! - 0.5;
    expect(Math.abs(shift)).toBeGreaterThan(0);
    expect(Math.abs(shift)).toBeLessThanOrEqual(0.3);
    for (let i = 0; i < image.data.length; i++) {
      const expected = Math.min(1, Math.max(0, pair.image.data[i]! + shift));
      expect(image.data[i]).toBeCloseTo(expected, 6);
    }
  });

  it('scales contrast about each channel mean and leaves grey pixels grey under saturation', () => {
    const grey = new Float32Array(4 * 3);
    for (let i = 0; i < 4; i++) grey.fill(0.2 * (i + 1), i * 3, i * 3 + 3);
    const image: RasterImage = { data: grey, width: 4, height: 1, channels: 3 };
    const mask: RasterImage = { data: new Float32Array(4), width: 4, height: 1, channels: 1 };
    const out = augmentPair(image, mask, createRandom(11), {
      ...GEOMETRY_OFF,
      colour: { probability: 1, brightness: 0, contrast: 0.5, saturation: 0.5 },
    }).image.data;
    const factor = (out[9]! - out[0]!) / (0.8 - 0.2);
    expect(factor).toBeGreaterThanOrEqual(0.5 - 1e-6);
    expect(factor).toBeLessThanOrEqual(1.5 + 1e-6);
    for (let i = 0; i < 4; i++) {
      const v = [0.2, 0.4, 0.6, 0.8][i]!;
      for (let c = 0; c < 3; c++) expect(out[i * 3 + c]).toBeCloseTo((v - 0.5) * factor + 0.5, 5);
    }
  });
});
