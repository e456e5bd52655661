import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { createOptimizer, enableFastPaths, initBackend } from '@unet/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from './train.js';

const quiet = { log: () => {}, warn: () => {} };

function unet(): tf.LayersModel {
  return buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3], dropout: 0 });
}

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
});

describe("train({ compile: 'fp32' })", () => {
  it('gives the history (loss, a metric) and weights of eager training, with validation and a learning-rate change', async () => {
    const x = tf.randomUniform([12, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.randomUniform([12, 32, 32, 1], 0, 1, 'float32', 2).greater(0.5).toFloat();
    const eager = unet();
    const compiled = unet();
    compiled.setWeights(eager.getWeights());
    const lines: string[] = [];
    const run = (model: tf.LayersModel, compile: 'off' | 'fp32') =>
      train({
        model,
        x,
        y,
        loss: 'binaryCrossentropy',
        metrics: ['binaryAccuracy'],
        optimizer: createOptimizer('adam', 1e-3),
        validationSplit: 0.25,
        epochs: 3,
        batchSize: 4,
        seed: 5,
        progress: false,
        compile,
        // Halves the learning rate after epoch 1: the graph must see it.
        callbacks: [
          new (class extends tf.Callback {
            override async onEpochEnd(epoch: number) {
              if (epoch === 0)
                (model.optimizer as unknown as { learningRate: number }).learningRate = 5e-4;
            }
          })(),
        ],
        log: compile === 'fp32' ? (l) => lines.push(l) : () => {},
      });
    const want = await run(eager, 'off');
    const got = await run(compiled, 'fp32');
    expect(lines.filter((l) => /compiled step/.test(l))).toEqual([
      expect.stringMatching(/compiled step: \d+ ops/),
    ]);
    for (const key of ['loss', 'val_loss', 'binaryAccuracy', 'val_binaryAccuracy']) {
      const a = got.history[key]!;
      const b = want.history[key]!;
      a.forEach((v, i) => {
        expect(Math.abs(v - b[i]!) / b[i]!).toBeLessThan(1e-4);
      });
    }
    const diff = tf.tidy(() =>
      Math.max(
        ...compiled
          .getWeights()
          .map((w, i) => w.sub(eager.getWeights()[i]!).abs().max().dataSync()[0]!),
      ),
    );
    expect(diff).toBeLessThan(1e-4);
    // The model has tfjs's own train function back.
    expect(Object.hasOwn(compiled, 'makeTrainFunction')).toBe(false);
    tf.dispose([x, y]);
    eager.dispose();
    compiled.dispose();
  });
});
