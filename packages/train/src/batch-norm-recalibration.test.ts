import * as tf from '@tensorflow/tfjs';
import { batchNormalizationLayer } from '@unet/layers';
import { enableFastPaths, initBackend } from '@unet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleStepLimit } from './callbacks/batch-norm-recalibration.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { quiet } from './test-helpers.js';
import { type TrainOptions, train } from './train.js';

/** conv3x3 -> batch norm -> relu -> conv1x1 sigmoid, seeded. */
function model(momentum?: number): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1] });
  let x = tf.layers
    .conv2d({
      name: 'conv',
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const bn =
    momentum === undefined
      ? batchNormalizationLayer({ name: 'bn' })
      : tf.layers.batchNormalization({ name: 'bn', momentum });
  x = bn.apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const head = tf.layers.conv2d({
    name: 'head',
    filters: 1,
    kernelSize: 1,
    activation: 'sigmoid',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
  });
  return tf.model({ inputs: input, outputs: head.apply(x) as tf.SymbolicTensor });
}

/**
 * Mean absolute difference between the validation predictions at inference (moving statistics)
 * and with batch statistics (training-mode batch norm, computed by hand).
 */
function gapToBatchStatistics(m: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const conv = m.getLayer('conv').apply(x) as tf.Tensor;
    const { mean, variance } = tf.moments(conv, [0, 1, 2]);
    const [gamma, beta] = m.getLayer('bn').getWeights();
    const normalized = tf.batchNorm(conv, mean, variance, beta, gamma, 1e-3);
    const withBatchStatistics = m.getLayer('head').apply(tf.relu(normalized)) as tf.Tensor;
    const atInference = m.predict(x) as tf.Tensor;
    return tf.abs(atInference.sub(withBatchStatistics)).mean().dataSync()[0]!;
  });
}

let x: tf.Tensor4D;
let y: tf.Tensor4D;
let xVal: tf.Tensor4D;
let yVal: tf.Tensor4D;

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
  // Inputs around 20 with a small spread: the moving mean (from 0, momentum 0.99) lags far
  // behind after six steps, so inference-mode batch norm is far from the batch statistics.
  [x, y, xVal, yVal] = tf.tidy((): tf.Tensor4D[] => {
    const all = tf.randomUniform([24, 8, 8, 1], 20, 21, 'float32', 5);
    const masks = tf.cast(tf.greater(all, 20.5), 'float32');
    return [all.slice(0, 18), masks.slice(0, 18), all.slice(18), masks.slice(18)] as tf.Tensor4D[];
  }) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
});

afterAll(() => tf.dispose([x, y, xVal, yVal]));

function options(m: tf.LayersModel, extra: Partial<TrainOptions>): TrainOptions {
  return {
    model: m,
    validationData: [xVal, yVal],
    loss: 'binaryCrossentropy',
    epochs: 2,
    batchSize: 6,
    learningRate: 0.01,
    seed: 3,
    progress: false,
    log: () => {},
    ...extra,
  };
}

const inMemory = () => ({ x, y });
const asDataset = () => ({
  data: tf.data
    .zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) })
    .batch(6) as unknown as TrainOptions['data'],
  recalibrationData: x,
});

describe('train() batch-norm recalibration', () => {
  for (const [source, input] of [
    ['x/y tensors', inMemory],
    ['a dataset of unknown length', asDataset],
  ] as const) {
    it(`validates with statistics close to the batch statistics (${source})`, async () => {
      const on = model();
      const result = await train(options(on, input()));
      const gapOn = gapToBatchStatistics(on, xVal);
      // Three steps per epoch: recalibrated before both validations, so the last val_loss is
      // that of the model as it ends (a recalibration after validation would change it).
      expect(result.recalibration?.count).toBe(2);
      const finalLoss = tf.tidy(
        () =>
          tf.metrics
            .binaryCrossentropy(yVal, on.predict(xVal) as tf.Tensor)
            .mean()
            .dataSync()[0]!,
      );
      expect(Math.abs(result.history.val_loss!.at(-1)! - finalLoss)).toBeLessThan(1e-4);

      const off = model();
      const resultOff = await train(options(off, { ...input(), recalibrateBatchNorm: false }));
      const gapOff = gapToBatchStatistics(off, xVal);
      expect(resultOff.recalibration).toBeNull();
      // Measured: 1e-4 with, 0.15 without (of probabilities in [0, 1]).
      expect(gapOn).toBeLessThan(0.01);
      expect(gapOff).toBeGreaterThan(0.05);
      on.dispose();
      off.dispose();
    });
  }

  it('with long epochs, recalibrates only when a best or final model is saved', async () => {
    // Momentum 0.3 forgets within 3 steps (staleStepLimit 3): epochs of 3 steps count as long.
    const m = model(0.3);
    // Monitoring the falling val_loss for a maximum: few epochs count as best ones.
    const result = await train(options(m, { x, y, epochs: 4, monitor: 'val_loss', mode: 'max' }));
    const losses = result.history.val_loss!;
    const improved = losses.filter((loss, i) => losses.slice(0, i).every((l) => loss > l)).length;
    const lastImproved = losses.at(-1) === Math.max(...losses);
    expect(result.recalibration?.count).toBe(improved + (lastImproved ? 0 : 1));
    expect(result.recalibration?.count).toBeLessThan(4);
    expect(gapToBatchStatistics(m, xVal)).toBeLessThan(0.01);
    m.dispose();
  });

  it('with long epochs, recalibrates when a callback ends the run', async () => {
    const m = model(0.3);
    const stop = new EarlyStopping({ monitor: 'val_loss', mode: 'max', patience: 1 });
    const result = await train(
      options(m, { x, y, epochs: 6, monitor: 'val_loss', mode: 'max', callbacks: [stop] }),
    );
    expect(result.stopReason).toBe('early-stopping');
    const losses = result.history.val_loss!;
    const improved = losses.filter((loss, i) => losses.slice(0, i).every((l) => loss > l)).length;
    // Each best epoch, and the epoch EarlyStopping ended (not a best one, or it would not stop).
    expect(result.recalibration?.count).toBe(improved + 1);
    expect(gapToBatchStatistics(m, xVal)).toBeLessThan(0.01);
    m.dispose();
  });

  it('recalibrates before validation only while the moving averages lag', () => {
    expect(staleStepLimit(0.99)).toBe(299);
    expect(staleStepLimit(0.9)).toBe(29);
    expect(staleStepLimit(0.3)).toBe(3);
  });
});
