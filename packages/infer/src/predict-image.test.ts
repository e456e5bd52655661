import * as tf from '@tensorflow/tfjs';
import {
  predictProbability,
  type RasterImage,
  transformImage,
  ttaTransforms,
  untransformImage,
} from '@unet/infer';
import { beforeAll, describe, expect, it, vi } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A 3x3 convolution with seeded weights: not symmetric, so each view predicts differently. One
 * sigmoid channel, or `filters` softmax channels.
 */
function tinyModel(inputShape: [number | null, number | null, number], filters = 1) {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: filters === 1 ? 'sigmoid' : 'softmax',
        kernelInitializer: tf.initializers.randomNormal({ seed: 7 }),
      }),
    ],
  });
}

function image(width: number, height: number): RasterImage {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 101) / 100;
  return { data, width, height, channels: 3 };
}

describe('predictProbability({ tta })', () => {
  for (const [tta, runs] of [
    ['none', 1],
    ['flips', 4],
    ['d4', 8],
  ] as const) {
    it(`'${tta}' runs the model ${runs} time(s) and equals the average of the views mapped back`, async () => {
      const model = tinyModel([null, null, 3]);
      const img = image(12, 8); // not square: rotations change the shape
      const before = tf.memory().numTensors;
      const spy = vi.spyOn(model, 'predict');
      const out = await predictProbability(model, img, { tta, align: 4 });
      expect(spy).toHaveBeenCalledTimes(runs);
      spy.mockRestore();
      const sum = new Float32Array(img.width * img.height);
      for (const t of ttaTransforms(tta)) {
        const view = await predictProbability(model, transformImage(img, t), { align: 4 });
        const back = untransformImage(view, t, img.width, img.height);
        for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + back.data[i]! / runs;
      }
      expect(out.width).toBe(12);
      expect(out.height).toBe(8);
      for (let i = 0; i < sum.length; i++) expect(out.data[i]).toBeCloseTo(sum[i]!, 5);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it('composes with tiled prediction', async () => {
    const model = tinyModel([8, 8, 3]);
    const img = image(20, 14);
    const spy = vi.spyOn(model, 'predict');
    const plain = await predictProbability(model, img, { tile: true });
    const calls = spy.mock.calls.length;
    const flipped = await predictProbability(model, img, { tile: true, tta: 'flips' });
    expect(spy.mock.calls.length - calls).toBe(4 * calls);
    spy.mockRestore();
    expect(flipped.width).toBe(20);
    expect(flipped.height).toBe(14);
    const differs = plain.data.some((v, i) => Math.abs(v - flipped.data[i]!) > 1e-6);
    expect(differs).toBe(true);
    model.dispose();
  });
});

describe("predictProbability({ channel: 'instances' })", () => {
  it('returns (foreground, interior, boundary) of a 3-class softmax, resized back, with TTA and tiles', async () => {
    const model = tinyModel([16, 16, 3], 3);
    const input = image(20, 12);
    const before = tf.memory().numTensors;
    for (const options of [{}, { tta: 'flips' as const }, { tile: true }]) {
      const softmax = await predictProbability(model, input, { ...options, channel: 1 });
      const out = await predictProbability(model, input, { ...options, channel: 'instances' });
      expect([out.width, out.height, out.channels]).toEqual([20, 12, 3]);
      for (let i = 0; i < 20 * 12; i++) {
        const [fg, interior, boundary] = [0, 1, 2].map((c) => out.data[i * 3 + c]!);
        expect(interior).toBeCloseTo(softmax.data[i]!, 5);
        expect(fg).toBeCloseTo(interior! + boundary!, 6);
        expect(fg).toBeLessThanOrEqual(1 + 1e-6);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a model without 3 channels', async () => {
    await expect(
      predictProbability(tinyModel([8, 8, 3]), image(8, 8), { channel: 'instances' }),
    ).rejects.toThrow(
      /instance model outputs 3 channels \(background, interior, boundary\), got 1/,
    );
  });
});
