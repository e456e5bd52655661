import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RasterImage } from '../raster.js';
import { predictTiled } from '../tiled-predict.js';
import { predictWithTta, transformImage, ttaTransforms, untransformImage } from './tta.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Independent flips and rotations, written pixel by pixel (out(x, y) = in(...)).
type Image = RasterImage;
function remap(
  image: Image,
  width: number,
  height: number,
  from: (x: number, y: number) => [number, number],
): Image {
  const { channels } = image;
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = from(x, y);
      for (let c = 0; c < channels; c++) {
        data[(y * width + x) * channels + c] = image.data[(v * image.width + u) * channels + c]!;
      }
    }
  }
  return { data, width, height, channels };
}
const flipX = (i: Image) => remap(i, i.width, i.height, (x, y) => [i.width - 1 - x, y]);
const flipY = (i: Image) => remap(i, i.width, i.height, (x, y) => [x, i.height - 1 - y]);
/** 90 degrees clockwise: the top row becomes the right column. */
const rot90 = (i: Image) => remap(i, i.height, i.width, (x, y) => [y, i.height - 1 - x]);
const rot270 = (i: Image) => rot90(rot90(rot90(i)));
const id = (i: Image) => i;
const then =
  (...steps: ((i: Image) => Image)[]) =>
  (i: Image) =>
    steps.reduce((image, step) => step(image), i);

/** [forward, inverse] pairs: the four flips, and with d4 also the rotations and diagonals. */
const FLIPS: [(i: Image) => Image, (i: Image) => Image][] = [
  [id, id],
  [flipX, flipX],
  [flipY, flipY],
  [then(flipX, flipY), then(flipY, flipX)],
];
const D4 = [
  ...FLIPS,
  [rot90, rot270],
  [rot270, rot90],
  [then(flipX, rot90), then(rot270, flipX)],
  [then(flipY, rot90), then(rot270, flipY)],
] as [(i: Image) => Image, (i: Image) => Image][];

/** 3 wide, 2 high, 2 channels: no symmetry at all. */
const FIXTURE: Image = {
  data: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60]),
  width: 3,
  height: 2,
  channels: 2,
};

/** A position-dependent (so not flip-equivariant) prediction: value * (1 + x) + y, per channel. */
function predict(image: Image): Image {
  const data = Float32Array.from(image.data, (v, k) => {
    const pixel = Math.floor(k / image.channels);
    return v * (1 + (pixel % image.width)) + Math.floor(pixel / image.width);
  });
  return { ...image, data };
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k]! - b[k]!));
  return max;
}

function average(images: Image[]): number[] {
  return Array.from(
    images[0]!.data,
    (_, k) => images.reduce((s, i) => s + i.data[k]!, 0) / images.length,
  );
}

describe('transformImage / untransformImage', () => {
  it('are the 8 symmetries of the square, and inverse to each other', () => {
    const transforms = ttaTransforms('d4');
    expect(transforms).toHaveLength(8);
    const images = transforms.map((t) => transformImage(FIXTURE, t));
    const distinct = new Set(images.map((i) => `${i.width}x${i.height}:${Array.from(i.data)}`));
    expect(distinct.size).toBe(8);
    for (const [forward] of D4) {
      const want = forward(FIXTURE);
      expect(distinct.has(`${want.width}x${want.height}:${Array.from(want.data)}`)).toBe(true);
    }
    transforms.forEach((t, k) => {
      expect(untransformImage(images[k]!, t, 3, 2)).toEqual(FIXTURE);
    });
    expect(ttaTransforms('flips')).toHaveLength(4);
    expect(ttaTransforms('none')).toEqual([{ transpose: false, flipX: false, flipY: false }]);
    expect(() => ttaTransforms('rot' as 'd4')).toThrow(/transforms must be/);
  });
});

describe('predictWithTta', () => {
  it('equals the average of the inverse-transformed predictions of the transformed inputs', async () => {
    for (const [set, pairs] of [
      ['flips', FLIPS],
      ['d4', D4],
    ] as const) {
      const want = average(pairs.map(([forward, inverse]) => inverse(predict(forward(FIXTURE)))));
      const got = await predictWithTta(predict, FIXTURE, { transforms: set });
      expect(got.width).toBe(3);
      expect(got.height).toBe(2);
      expect(got.channels).toBe(2);
      expect(maxDifference(got.data, want)).toBeLessThan(1e-5);
      // The prediction is not equivariant, so TTA changes it.
      expect(Array.from(got.data)).not.toEqual(Array.from(predict(FIXTURE).data));
    }
    const plain = await predictWithTta(predict, FIXTURE, { transforms: 'none' });
    expect(plain).toEqual(predict(FIXTURE));
  });

  it('composes with tiled prediction of a non-square image', async () => {
    const conv = tf.layers.conv2d({
      filters: 1,
      kernelSize: 3,
      padding: 'same',
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.randomNormal({ seed: 3 }),
      inputShape: [null, null, 1],
    });
    const model = tf.sequential({ layers: [conv] });
    const image: Image = {
      data: Float32Array.from({ length: 40 * 24 }, (_, i) => ((i * 7919) % 101) / 101),
      width: 40,
      height: 24,
      channels: 1,
    };
    const tiled = (i: Image) => predictTiled(model, i, { tileSize: 16, overlap: 4 });
    const got = await predictWithTta(tiled, image, { transforms: 'd4' });
    const parts = [];
    for (const [forward, inverse] of D4) parts.push(inverse(await tiled(forward(image))));
    const want = average(parts);
    expect(got.width).toBe(40);
    expect(got.height).toBe(24);
    expect(maxDifference(got.data, want)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('rejects a prediction of the wrong size', async () => {
    await expect(predictWithTta(() => FIXTURE, FIXTURE, { transforms: 'd4' })).rejects.toThrow(
      /the prediction is 3x2, expected 2x3/,
    );
  });
});
