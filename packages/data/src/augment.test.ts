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
