import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { createOptimizer, enableFastPaths, initBackend, weightDifference } from '@unet/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOptimizerInto } from './model-io.js';
import { tempDir } from './test-helpers.js';
import { runPaths, train } from './train.js';

const quiet = { log: () => {}, warn: () => {} };

function unet(): tf.LayersModel {
  return buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3], dropout: 0, seed: 11 });
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
    const initial = eager.getWeights().map((w) => w.clone());
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
    // Epoch means over 3 epochs: the kernels' last-bit differences grow a little under Adam
    // (see weightDifference), so losses within 1e-3 relative (one step's loss matches to 1e-4
    // in @unet/runtime), and accuracies, which count pixels on either side of 0.5, within 0.5%
    // (46 of the 9,216 training pixels) and 1% (31 of the 3,072 validation pixels).
    for (const [key, tolerance] of [
      ['loss', 1e-3],
      ['val_loss', 1e-3],
      ['binaryAccuracy', 5e-3],
      ['val_binaryAccuracy', 1e-2],
    ] as const) {
      const a = got.history[key]!;
      const b = want.history[key]!;
      a.forEach((v, i) => {
        expect(Math.abs(v - b[i]!) / b[i]!, `${key} epoch ${i + 1}`).toBeLessThan(tolerance);
      });
    }
    // Apart by under 5% of the distance eager training moved the weights (see weightDifference):
    // up to 0.002 measured on an AVX-512 EPYC, 0.016 on an AVX2-only one (whose graph kernels
    // round differently, see @unet/runtime's parity tests); a learning-rate change the graph
    // misses gives 0.24.
    const { relative } = weightDifference(compiled.getWeights(), eager.getWeights(), initial);
    expect(relative).toBeLessThan(0.05);
    // The model has tfjs's own train function back.
    expect(Object.hasOwn(compiled, 'makeTrainFunction')).toBe(false);
    tf.dispose([x, y, ...initial]);
    eager.dispose();
    compiled.dispose();
  });
});

/** 16 images: 12 train (3 full batches of 4, so every step after the first is compiled), 4 val. */
function batchesOfFour(): { x: tf.Tensor4D; y: tf.Tensor4D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([16, 32, 32, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = tf.randomUniform([16, 32, 32, 1], 0, 1, 'float32', 12).greater(0.5).toFloat();
    return { x, y: y as tf.Tensor4D };
  });
}

describe('compiled runs: resume, checkpoints, memory', () => {
  const run = (
    model: tf.LayersModel,
    data: { x: tf.Tensor4D; y: tf.Tensor4D },
    options: {
      epochs: number;
      outDir?: string;
      resume?: boolean;
      callbacks?: tf.Callback[];
      batchSize?: number;
      metrics?: string[];
    },
  ) =>
    train({
      model,
      ...data,
      loss: 'binaryCrossentropy',
      optimizer: createOptimizer('adam', 1e-3),
      validationSplit: 0.25,
      batchSize: 4,
      seed: 3,
      progress: false,
      tensorBoard: false,
      curves: false,
      compile: 'fp32',
      log: () => {},
      ...options,
    });

  it('a resumed compiled run continues the trajectory of an uninterrupted one, optimizer state included', async () => {
    const data = batchesOfFour();
    const initial = unet();
    const fresh = () => {
      const m = unet();
      m.setWeights(initial.getWeights());
      return m;
    };
    const whole = fresh();
    const straight = await run(whole, data, { epochs: 4, outDir: await tempDir('compiled-whole') });

    // Stopped after epoch 2 of 4: its last/ checkpoint is taken mid-run with compile on.
    const outDir = await tempDir('compiled-resume');
    const first = fresh();
    let atCheckpoint: tf.Tensor[] = [];
    await run(first, data, {
      epochs: 2,
      outDir,
      callbacks: [
        new (class extends tf.Callback {
          // User callbacks run after the compiled step's sync and before the checkpoint.
          override async onEpochEnd(epoch: number) {
            if (epoch === 1)
              atCheckpoint = (await first.optimizer.getWeights()).map((w) => w.tensor.clone());
          }
        })(),
      ],
    });
    // The optimizer state in last/ is the session's, synced back: moments and step count.
    const restored = fresh();
    restored.compile({ optimizer: createOptimizer('adam', 1e-3), loss: 'binaryCrossentropy' });
    expect(await loadOptimizerInto(restored.optimizer, runPaths(outDir).last)).toBe(true);
    const saved = (await restored.optimizer.getWeights()).map((w) => w.tensor);
    expect(saved.length).toBe(atCheckpoint.length);
    // iterations: 2 epochs of 3 steps.
    expect(saved[0]!.dataSync()[0]).toBe(6);
    saved.forEach((t, i) => {
      const diff = tf.tidy(() => t.sub(atCheckpoint[i]!).abs().max().dataSync()[0]!);
      expect(diff, `optimizer weight ${i}`).toBeLessThan(1e-7);
    });
    const moments = tf.tidy(() => saved.slice(1).map((t) => t.abs().max().dataSync()[0]!));
    expect(Math.max(...moments)).toBeGreaterThan(0);

    const resumed = fresh();
    const continued = await run(resumed, data, { epochs: 4, outDir, resume: true });
    expect(continued.initialEpoch).toBe(2);
    expect(continued.epoch).toEqual([0, 1, 2, 3]);
    for (const key of ['loss', 'val_loss']) {
      continued.history[key]!.forEach((v, i) => {
        expect(Math.abs(v - straight.history[key]![i]!), `${key} epoch ${i + 1}`).toBeLessThan(
          1e-4,
        );
      });
    }
    // The resumed run's first step is recorded eagerly where the whole run's was compiled:
    // within 1% of the distance the whole run moved the weights (see weightDifference).
    const { relative } = weightDifference(
      resumed.getWeights(),
      whole.getWeights(),
      initial.getWeights(),
    );
    expect(relative).toBeLessThan(0.01);
    tf.dispose([data.x, data.y, ...atCheckpoint, ...saved]);
    for (const m of [initial, whole, first, restored, resumed]) m.dispose();
  });

  it('20 compiled epochs: the tensor count stays flat and RSS does not grow with the epochs', async () => {
    const data = batchesOfFour();
    const model = unet();
    const tensors: number[] = [];
    const rssMb: number[] = [];
    await run(model, data, {
      epochs: 20,
      // 12 training samples in batches of 5: every epoch ends with a short batch, which trains
      // eagerly after a sync; with a metric, each eager step once leaked the metric's tensor.
      batchSize: 5,
      metrics: ['binaryAccuracy'],
      callbacks: [
        new (class extends tf.Callback {
          override async onEpochEnd() {
            tensors.push(tf.memory().numTensors);
            rssMb.push(process.memoryUsage().rss / 2 ** 20);
          }
        })(),
      ],
    });
    expect(tensors).toHaveLength(20);
    // From epoch 2 on (the graph is built during epoch 1), every epoch ends with as many tensors.
    expect(new Set(tensors.slice(1)).size, `tensors per epoch: ${tensors}`).toBe(1);
    // RSS is the allocators' high-water mark, not live memory: TensorFlow's and glibc's caches
    // and vitest move it by tens of MB either way. The bound is what a leak of the state synced
    // each epoch (weights and Adam moments, 3 x 5.6 MB for this 1.4M-parameter model) would
    // exceed within the 17 epochs measured (~290 MB); a per-step leak of the state, far more.
    const growth = Math.max(...rssMb.slice(3)) - rssMb[2]!;
    expect(growth, `RSS per epoch (MB): ${rssMb.map((v) => v.toFixed(0))}`).toBeLessThan(100);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});
