import * as tf from '@tensorflow/tfjs';
import { batchNormalizationLayer } from '@unet/layers';
import { enableFastPaths, initBackend } from '@unet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recalibrateBatchNorm } from './recalibrate-batch-norm.js';
import { quiet } from './test-helpers.js';

const N = 7;
const SIZE = 5;
const CHANNELS = 2;

/** input -> tfjs BN -> conv -> NativeBN (@unet/layers) -> relu -> dropout -> conv -> tfjs BN. */
function bnModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, CHANNELS] });
  const seeded = (seed: number) => tf.initializers.randomNormal({ mean: 0.5, stddev: 0.5, seed });
  const bn0 = tf.layers.batchNormalization({
    name: 'bn0',
    gammaInitializer: seeded(1),
    betaInitializer: seeded(2),
  });
  const conv1 = tf.layers.conv2d({
    name: 'conv1',
    filters: 3,
    kernelSize: 3,
    padding: 'same',
    kernelInitializer: seeded(3),
    biasInitializer: seeded(4),
  });
  const bn1 = batchNormalizationLayer({ name: 'bn1' });
  const relu = tf.layers.activation({ activation: 'relu' });
  const drop = tf.layers.dropout({ rate: 0.5 });
  const conv2 = tf.layers.conv2d({
    name: 'conv2',
    filters: 2,
    kernelSize: 1,
    kernelInitializer: seeded(5),
  });
  const bn2 = tf.layers.batchNormalization({ name: 'bn2' });
  let x = bn0.apply(input) as tf.SymbolicTensor;
  x = bn1.apply(conv1.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
  x = conv2.apply(drop.apply(relu.apply(x) as tf.SymbolicTensor)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: bn2.apply(x) as tf.SymbolicTensor });
}

/** Images with per-channel offsets and scales, so the statistics are far from 0 and 1. */
function images(): tf.Tensor4D {
  return tf.tidy(() => {
    const noise = tf.randomNormal([N, SIZE, SIZE, CHANNELS], 0, 1, 'float32', 11);
    return noise.mul([2, 0.5]).add([3, -1]) as tf.Tensor4D;
  });
}

function weight(model: tf.LayersModel, layer: string, name: string): Float32Array {
  const w = model.getLayer(layer).weights.find((v) => v.name.includes(name))!;
  return w.read().dataSync() as Float32Array;
}

/** Per-channel mean and biased variance of `values` (NHWC flattened), in float64. */
function channelStats(values: Float32Array, channels: number) {
  const count = values.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  values.forEach((v, i) => {
    mean[i % channels]! += v / count;
  });
  values.forEach((v, i) => {
    variance[i % channels]! += (v - mean[i % channels]!) ** 2 / count;
  });
  return { mean: Array.from(mean), variance: Array.from(variance) };
}

function expectClose(actual: Float32Array, expected: number[], tolerance = 1e-4) {
  expect(actual.length).toBe(expected.length);
  for (const [i, v] of actual.entries()) {
    expect(Math.abs(v - expected[i]!)).toBeLessThan(tolerance);
  }
}

let x: tf.Tensor4D;

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
  x = images();
});

afterAll(() => x.dispose());

describe('recalibrateBatchNorm', () => {
  it('sets the first layer to the exact mean and variance of the data seen as one batch', async () => {
    const model = bnModel();
    const result = await recalibrateBatchNorm(model, x, { batchSize: N });
    expect(result).toEqual({ layers: 3, batches: 1, samples: N });
    const exact = channelStats(x.dataSync() as Float32Array, CHANNELS);
    expectClose(weight(model, 'bn0', 'moving_mean'), exact.mean);
    expectClose(weight(model, 'bn0', 'moving_variance'), exact.variance);
    model.dispose();
  });

  it('averages batch statistics weighted by batch size, deeper layers included', async () => {
    const model = bnModel();
    const sizes = [3, 3, 1];
    // Independent reference: the training-mode forward pass by hand, per batch.
    const perBatch = sizes.map((size, b) =>
      tf.tidy(() => {
        const batch = x.slice(b * 3, size);
        const bnTrain = (layer: string, t: tf.Tensor) => {
          const { mean, variance } = tf.moments(t, [0, 1, 2]);
          const gamma = model.getLayer(layer).weights.find((w) => w.name.includes('gamma'))!;
          const beta = model.getLayer(layer).weights.find((w) => w.name.includes('beta'))!;
          const y = tf.batchNorm(t, mean, variance, beta.read(), gamma.read(), 1e-3);
          return {
            y,
            mean: Array.from(mean.dataSync()),
            variance: Array.from(variance.dataSync()),
          };
        };
        const s0 = bnTrain('bn0', batch);
        const c1 = model.getLayer('conv1').apply(s0.y) as tf.Tensor;
        const s1 = bnTrain('bn1', c1);
        // Dropout is off: the statistics are those the layer sees at inference.
        const c2 = model.getLayer('conv2').apply(tf.relu(s1.y)) as tf.Tensor;
        const s2 = bnTrain('bn2', c2);
        const own = channelStats(batch.dataSync() as Float32Array, CHANNELS);
        return { size, own, layers: [s0, s1, s2] };
      }),
    );
    const before = model.weights
      .filter((w) => !/moving_/.test(w.name))
      .map((w) => Array.from(w.read().dataSync()));
    const tensorsBefore = tf.memory().numTensors;

    const result = await recalibrateBatchNorm(model, x, { batchSize: 3 });

    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result).toEqual({ layers: 3, batches: 3, samples: N });
    const weighted = (pick: (b: (typeof perBatch)[number]) => number[]) =>
      pick(perBatch[0]!).map(
        (_, c) => perBatch.reduce((sum, b) => sum + b.size * pick(b)[c]!, 0) / N,
      );
    // First layer: the exact dataset mean, and the mean of the plain-JS per-batch variances.
    const exact = channelStats(x.dataSync() as Float32Array, CHANNELS);
    expectClose(weight(model, 'bn0', 'moving_mean'), exact.mean);
    expectClose(
      weight(model, 'bn0', 'moving_variance'),
      weighted((b) => b.own.variance),
    );
    // The mean of batch variances is below the dataset variance by the spread of batch means.
    const varianceGap = exact.variance[0]! - weighted((b) => b.own.variance)[0]!;
    expect(varianceGap).toBeGreaterThan(0);
    ['bn0', 'bn1', 'bn2'].forEach((name, i) => {
      expectClose(
        weight(model, name, 'moving_mean'),
        weighted((b) => b.layers[i]!.mean),
      );
      expectClose(
        weight(model, name, 'moving_variance'),
        weighted((b) => b.layers[i]!.variance),
      );
    });
    const after = model.weights
      .filter((w) => !/moving_/.test(w.name))
      .map((w) => Array.from(w.read().dataSync()));
    expect(after).toEqual(before);
    model.dispose();
  });

  it('reads { xs, ys } datasets, stops at maxBatches and leaks no tensor', async () => {
    const model = bnModel();
    const ys = tf.zeros([N, SIZE, SIZE, 1]);
    const dataset = tf.data
      .zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(ys)) })
      .batch(2)
      .repeat();
    const tensorsBefore = tf.memory().numTensors;
    const result = await recalibrateBatchNorm(model, dataset, { maxBatches: 2 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result).toEqual({ layers: 3, batches: 2, samples: 4 });
    const firstFour = channelStats(x.slice(0, 4).dataSync() as Float32Array, CHANNELS);
    expectClose(weight(model, 'bn0', 'moving_mean'), firstFour.mean);
    tf.dispose(ys);
    model.dispose();
  });

  it('leaves models without batch norm alone', async () => {
    const input = tf.input({ shape: [SIZE, SIZE, CHANNELS] });
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(input) as tf.SymbolicTensor,
    });
    expect(await recalibrateBatchNorm(model, x)).toEqual({ layers: 0, batches: 0, samples: 0 });
    model.dispose();
  });
});
