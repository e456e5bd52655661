/** Shared fixtures of this package's tests (not part of the published API). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@unet/runtime';
import type { RawLogs } from '@unet/train';

export const quiet = { log: () => {}, warn: () => {} };

/** The native TensorFlow backend, quietly: `beforeAll(useTensorflow)`. */
export async function useTensorflow(): Promise<void> {
  await initBackend('tensorflow', quiet);
}

/** A silent line sink that remembers the lines. */
export function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `unet-train-${prefix}-`));
}

export { tinyModel } from './fixtures/tiny-model.mjs';

/** n random images (seeded) and masks "pixel > 0.5": learnable by a tiny model. */
export function tinyData(n: number, size = 16, seed = 7): { x: tf.Tensor4D; y: tf.Tensor4D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([n, size, size, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
    return { x, y: tf.cast(tf.greater(x, 0.5), 'float32') as tf.Tensor4D };
  });
}

/** A compiled dense model, for callbacks that need `model.optimizer`. */
export function compiledModel(optimizer: tf.Optimizer = tf.train.adam(0.01)): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

interface Hooks {
  setParams(params: Record<string, unknown>): void;
  setModel(model: tf.LayersModel): void;
  onTrainBegin(logs?: RawLogs): Promise<void>;
  onEpochBegin(epoch: number, logs?: RawLogs): Promise<void>;
  onEpochEnd(epoch: number, logs?: RawLogs): Promise<void>;
  onTrainEnd(logs?: RawLogs): Promise<void>;
}

/**
 * Drives a callback through a scripted run: `logs[i]` are the epoch logs of epoch
 * `initialEpoch + i`. `beforeEpochEnd` runs before each onEpochEnd (e.g. to set weights).
 * Stops like fit does when `model.stopTraining` is set. Returns the epochs run.
 */
export async function script(
  callback: Hooks,
  model: tf.LayersModel,
  logs: Record<string, number>[],
  options: { initialEpoch?: number; beforeEpochEnd?: (epoch: number) => void } = {},
): Promise<number[]> {
  const initialEpoch = options.initialEpoch ?? 0;
  callback.setParams({ epochs: initialEpoch + logs.length, initialEpoch, steps: 1 });
  callback.setModel(model);
  model.stopTraining = false;
  await callback.onTrainBegin({});
  const ran: number[] = [];
  for (const [i, entry] of logs.entries()) {
    const epoch = initialEpoch + i;
    await callback.onEpochBegin(epoch, {});
    options.beforeEpochEnd?.(epoch);
    await callback.onEpochEnd(epoch, { ...entry });
    ran.push(epoch);
    if (model.stopTraining) break;
  }
  await callback.onTrainEnd({});
  return ran;
}

/** Sets every weight of `model` to `value` (marks weights with an epoch number). */
export function fillWeights(model: tf.LayersModel, value: number): void {
  const values = model.getWeights().map((w) => tf.fill(w.shape, value));
  model.setWeights(values);
  tf.dispose(values);
}

/** First value of the first weight. */
export function firstWeight(model: tf.LayersModel): number {
  return model.getWeights()[0]!.dataSync()[0]!;
}

export async function readCsv(file: string): Promise<{ header: string[]; rows: string[][] }> {
  const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}
