import * as tf from '@tensorflow/tfjs';
import { predictProbability, type RasterImage } from '@unet/infer';
import { buildUnet } from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictRunner } from './compiled-predict.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { collect, quiet, tinyModel, useTensorflow } from './test-helpers.js';

beforeAll(useTensorflow);

/** A smooth 3-channel image of another size than the model's 32x32 input. */
function image(width: number, height: number): RasterImage {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = 0.5 + 0.4 * Math.sin(0.3 * x + c) * Math.cos(0.2 * y);
  return { data, width, height, channels: 3 };
}

function maxDiff(a: RasterImage, b: RasterImage): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

/** dsb2018 preset (batch norm after every convolution) at 32x32, moving statistics not trivial. */
function unet(): tf.LayersModel {
  const model = buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3], seed: 4 });
  for (const w of model.weights)
    if (/moving_(mean|variance)/.test(w.name))
      w.write(tf.tidy(() => tf.randomUniform(w.shape as number[], 0.2, 1.5, 'float32', 9)));
  return model;
}

describe('compiled predict (predictRunner) gives eager predictions', () => {
  it('through predictProbability, whole (resized) and tiled, and leaks no tensor', async () => {
    const model = unet();
    const lines = collect();
    const runner = predictRunner(model, 'fp32', { tiled: true, log: lines.log });
    expect(runner.model).not.toBe(model);
    const picture = image(70, 45);
    // Whole image resized to 32x32 (one shape), then tiled: batches of 4 tiles and a remainder.
    for (const options of [{}, { tile: true }, { tile: { batchSize: 3, overlap: 8 } }]) {
      const want = await predictProbability(model, picture, options);
      const got = await predictProbability(runner.model, picture, options);
      expect(maxDiff(got, want), JSON.stringify(options)).toBeLessThan(1e-4);
    }
    const before = tf.memory().numTensors;
    await predictProbability(runner.model, picture, { tile: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(lines.lines).toEqual([]);
    runner.dispose();
    model.dispose();
  });

  it("through evaluate({ compile }) and predict({ compile }): eager's scores and masks", async () => {
    const model = unet();
    const samples = [image(40, 40), image(64, 48)].map((picture, i) => ({
      name: `s${i}`,
      image: picture,
      mask: {
        data: picture.data.filter((_, k) => k % 3 === 0).map((v) => (v > 0.5 ? 1 : 0)),
        width: picture.width,
        height: picture.height,
        channels: 1,
      },
    }));
    const scores = async (compile: 'off' | 'fp32', tile: boolean) =>
      (await evaluate({ model, samples, compile, tile, log: quiet.log })).perImage.map(
        (s) => s.dice,
      );
    for (const tile of [false, true])
      expect(await scores('fp32', tile)).toEqual(await scores('off', tile));
    const inputs = samples.map(({ name, image }) => ({ name, image }));
    const run = (compile: 'off' | 'fp32') =>
      predict({ model, inputs, compile, tile: true, keepProbabilities: true, log: quiet.log });
    const [eager, compiled] = [await run('off'), await run('fp32')];
    compiled.forEach((r, i) => {
      expect(maxDiff(r.probability!, eager[i]!.probability!)).toBeLessThan(1e-4);
    });
    model.dispose();
  });

  it('a free-size model run whole predicts eagerly, saying why in one line', async () => {
    const model = tinyModel(1, 3, null);
    const lines = collect();
    const runner = predictRunner(model, 'fp32', { tiled: false, log: lines.log });
    expect(runner.model).toBe(model);
    expect(lines.lines).toEqual([
      expect.stringMatching(/compiled predict off, predicting eagerly/),
    ]);
    runner.dispose();
    model.dispose();
  });
});
