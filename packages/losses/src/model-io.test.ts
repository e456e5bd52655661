import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import {
  binaryCrossentropy,
  compileWithNamedLosses,
  diceLoss,
  LOSS_NAMES_METADATA_KEY,
  type LossFunction,
  loadModelWithLosses,
  lossNamesOf,
  registerLoss,
  registerMetric,
} from '@unet/losses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyModel } from './test-support.js';

const METRICS = ['diceCoefficient', 'iouScore', 'precision', 'recall'];

/** A user's loss: BCE with foreground pixels weighted 3x; registered as 'foregroundWeightedBce'. */
const foregroundWeightedBce: LossFunction = (yTrue, yPred) =>
  tf.tidy(() => {
    const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
    const perPixel = tf.neg(
      tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)))),
    );
    return tf.mean(tf.mul(perPixel, tf.add(1, tf.mul(yTrue, 2))));
  });
/** A user's metric: fraction of pixels predicted foreground. */
const predictedForeground: LossFunction = (_yTrue, yPred) =>
  tf.tidy(() => tf.mean(tf.cast(tf.greater(yPred, 0.5), 'float32')));

let tmp: string;
let x: tf.Tensor;
let y: tf.Tensor;

const numbers = (value: tf.Tensor | tf.Tensor[]) => {
  const list = Array.isArray(value) ? value : [value];
  const out = list.map((t) => t.dataSync()[0]!);
  tf.dispose(list);
  return out;
};
const weightsOf = (model: tf.LayersModel) =>
  model.getWeights().flatMap((w) => Array.from(w.dataSync()));
const maxDifference = (a: number[], b: number[]) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const trainOneStep = (model: tf.LayersModel) =>
  model.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });

function disposeModel(model: tf.LayersModel) {
  model.optimizer?.dispose();
  model.dispose();
}

beforeAll(async () => {
  await tf.setBackend('tensorflow');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-losses-'));
  x = tf.randomUniform([4, 8, 8, 2], 0, 1, 'float32', 11);
  y = tf.tidy(() => tf.cast(tf.greater(x.slice([0, 0, 0, 0], [4, 8, 8, 1]), 0.5), 'float32'));
});

afterAll(() => {
  tf.dispose([x, y]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('save/load round trip', () => {
  it('built-in loss and metrics: same predictions, loss, metrics and optimizer state', async () => {
    const original = toyModel({ filters: 3, seed: 3 });
    compileWithNamedLosses(original, {
      optimizer: tf.train.adam(0.02),
      loss: 'bceDiceLoss',
      metrics: METRICS,
    });
    await original.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    const dir = path.join(tmp, 'builtin');
    await original.save(`file://${dir}`, { includeOptimizer: true });

    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(saved.userDefinedMetadata[LOSS_NAMES_METADATA_KEY]).toEqual({
      loss: 'bceDiceLoss',
      metrics: METRICS,
    });

    const loaded = await loadModelWithLosses(`file://${dir}/model.json`);
    expect(lossNamesOf(loaded)).toEqual({ loss: 'bceDiceLoss', metrics: METRICS });
    expect(loaded.metricsNames).toEqual(original.metricsNames);
    expect(numbers(loaded.evaluate(x, y) as tf.Tensor[])).toEqual(
      numbers(original.evaluate(x, y) as tf.Tensor[]),
    );
    const [a, b] = [original.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(maxDifference(Array.from(a.dataSync()), Array.from(b.dataSync()))).toBe(0);
    tf.dispose([a, b]);

    // One more step from the restored Adam state lands where the original lands; a fresh Adam
    // (what plain re-compiling would give) does not, so this checks the state really came back.
    const fresh = await loadModelWithLosses(`file://${dir}/model.json`, {
      optimizer: tf.train.adam(0.02),
    });
    for (const model of [original, loaded, fresh]) await trainOneStep(model);
    expect(maxDifference(weightsOf(loaded), weightsOf(original))).toBeLessThan(1e-6);
    expect(maxDifference(weightsOf(fresh), weightsOf(original))).toBeGreaterThan(1e-4);
    for (const model of [original, loaded, fresh]) disposeModel(model);
  });

  it('custom user-registered loss and metric', async () => {
    registerLoss('foregroundWeightedBce', foregroundWeightedBce);
    registerMetric('predictedForeground', predictedForeground);
    const original = toyModel({ filters: 3, seed: 3 });
    compileWithNamedLosses(original, {
      optimizer: 'adam',
      loss: foregroundWeightedBce, // the function works as well as its registered name
      metrics: ['predictedForeground', 'diceCoefficient'],
    });
    await original.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const dir = path.join(tmp, 'custom');
    await original.save(`file://${dir}`, { includeOptimizer: true });

    const loaded = await loadModelWithLosses(`file://${dir}/model.json`);
    expect(lossNamesOf(loaded)).toEqual({
      loss: 'foregroundWeightedBce',
      metrics: ['predictedForeground', 'diceCoefficient'],
    });
    expect(loaded.metricsNames).toEqual(['loss', 'predictedForeground', 'diceCoefficient']);
    const [lossOriginal] = numbers(original.evaluate(x, y) as tf.Tensor[]);
    const [lossLoaded] = numbers(loaded.evaluate(x, y) as tf.Tensor[]);
    expect(lossLoaded).toBe(lossOriginal);
    const direct = numbers(tf.tidy(() => foregroundWeightedBce(y, loaded.predict(x) as tf.Tensor)));
    expect(lossLoaded).toBeCloseTo(direct[0]!, 6);
    const history = await trainOneStep(loaded);
    expect(Object.keys(history.history)).toContain('predictedForeground');
    disposeModel(original);
    disposeModel(loaded);
  });

  it('saved without the optimizer: compiled with the recorded loss and a new optimizer', async () => {
    const original = toyModel({ filters: 3, seed: 3 });
    compileWithNamedLosses(original, {
      optimizer: 'sgd',
      loss: diceLoss,
      metrics: [binaryCrossentropy],
    });
    const dir = path.join(tmp, 'no-optimizer');
    await original.save(`file://${dir}`);
    const loaded = await loadModelWithLosses(`file://${dir}/model.json`);
    expect(loaded.optimizer).toBeDefined();
    expect(numbers(loaded.evaluate(x, y) as tf.Tensor[])).toEqual(
      numbers(original.evaluate(x, y) as tf.Tensor[]),
    );
    // Plain tfjs loads it too, for inference.
    const plain = await tf.loadLayersModel(`file://${dir}/model.json`);
    const [a, b] = [original.predict(x) as tf.Tensor, plain.predict(x) as tf.Tensor];
    expect(maxDifference(Array.from(a.dataSync()), Array.from(b.dataSync()))).toBe(0);
    tf.dispose([a, b]);
    for (const model of [original, loaded, plain]) disposeModel(model);
  });

  it('compile: false gives an uncompiled model for inference; models compiled with plain functions need options.loss', async () => {
    const original = toyModel({ filters: 3, seed: 3 });
    original.compile({ optimizer: 'adam', loss: diceLoss });
    const dir = path.join(tmp, 'plain-compile');
    await original.save(`file://${dir}`, { includeOptimizer: true });

    const inference = await loadModelWithLosses(`file://${dir}/model.json`, { compile: false });
    expect(inference.optimizer).toBeUndefined();
    const unknownLoss = await loadModelWithLosses(`file://${dir}/model.json`);
    expect(unknownLoss.optimizer).toBeUndefined();
    const given = await loadModelWithLosses(`file://${dir}/model.json`, { loss: 'diceLoss' });
    expect(lossNamesOf(given)).toEqual({ loss: 'diceLoss', metrics: [] });
    expect(numbers(given.evaluate(x, y) as tf.Tensor)).toEqual(
      numbers(original.evaluate(x, y) as tf.Tensor),
    );
    for (const model of [original, inference, unknownLoss, given]) disposeModel(model);
  });

  it('a model compiled with tfjs built-in names loads with them', async () => {
    const original = toyModel({ filters: 3, seed: 3 });
    original.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['accuracy'] });
    const dir = path.join(tmp, 'tfjs-names');
    await original.save(`file://${dir}`, { includeOptimizer: true });
    const loaded = await loadModelWithLosses(`file://${dir}/model.json`);
    expect(lossNamesOf(loaded)).toBeUndefined();
    expect(loaded.metricsNames).toEqual(original.metricsNames);
    expect(numbers(loaded.evaluate(x, y) as tf.Tensor[])).toEqual(
      numbers(original.evaluate(x, y) as tf.Tensor[]),
    );
    disposeModel(original);
    disposeModel(loaded);
  });

  it('a model whose loss is not registered fails to load, naming the loss and the fix', async () => {
    const original = toyModel({ filters: 3, seed: 3 });
    compileWithNamedLosses(original, { optimizer: 'adam', loss: 'diceLoss' });
    original.setUserDefinedMetadata({
      [LOSS_NAMES_METADATA_KEY]: { loss: 'boundaryLoss', metrics: [] },
    });
    const dir = path.join(tmp, 'unregistered');
    await original.save(`file://${dir}`, { includeOptimizer: true });
    const error = await loadModelWithLosses(`file://${dir}/model.json`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Unknown loss 'boundaryLoss'/);
    expect((error as Error).message).toMatch(/registerLoss\('boundaryLoss', fn\)/);
    expect((error as Error).message).toMatch(/diceLoss/);
    disposeModel(original);
  });

  it('compileWithNamedLosses refuses unregistered functions and unknown names', () => {
    const model = toyModel({ filters: 3, seed: 3 });
    const anonymous: LossFunction = (t, p) => tf.tidy(() => tf.mean(tf.abs(tf.sub(t, p))));
    expect(() => compileWithNamedLosses(model, { optimizer: 'adam', loss: anonymous })).toThrow(
      /not registered.*registerLoss/,
    );
    expect(() => compileWithNamedLosses(model, { optimizer: 'adam', loss: 'dice' })).toThrow(
      /Unknown loss 'dice'.*diceLoss/,
    );
    expect(() =>
      compileWithNamedLosses(model, {
        optimizer: 'adam',
        loss: 'diceLoss',
        metrics: ['iou_score'],
      }),
    ).toThrow(/Did you mean 'iouScore'/);
    model.dispose();
  });
});
