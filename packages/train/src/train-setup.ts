/** Option checks and preparation steps of `train()`. */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '@unet/runtime';
import { isStatefulCallback, type StatefulCallback } from './callbacks/stateful.js';
import { setLearningRate } from './learning-rate.js';
import type { TrainOptions } from './train-options.js';
import type { BaseCallback } from './types.js';

export function validate(options: TrainOptions): void {
  const { epochs, data, x, y, validationSplit, validationData, batchSize } = options;
  if (!(options.model instanceof tf.LayersModel)) {
    throw new Error(
      'train: `model` must be a tf.LayersModel (e.g. from buildUnet() or tf.model())',
    );
  }
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new Error(`train: epochs must be a positive integer, got ${epochs}`);
  }
  if ((data === undefined) === (x === undefined || y === undefined)) {
    throw new Error(
      'train: give either `data` (a dataset of {xs, ys} batches) or both `x` and `y`',
    );
  }
  if (validationSplit !== undefined) {
    if (data !== undefined)
      throw new Error('train: validationSplit needs `x`/`y`; with `data` pass validationData');
    if (validationData !== undefined)
      throw new Error('train: give validationSplit or validationData, not both');
    if (!(validationSplit > 0 && validationSplit < 1)) {
      throw new Error(`train: validationSplit must be between 0 and 1, got ${validationSplit}`);
    }
  }
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new Error(`train: batchSize must be a positive integer, got ${batchSize}`);
  }
}

/** Optimizers created by train(); disposed when a later train() call replaces them. */
const createdOptimizers = new WeakSet<tf.Optimizer>();

function isOptimizer(value: unknown): value is tf.Optimizer {
  return typeof value === 'object' && value !== null && value instanceof tf.Optimizer;
}

/** Compiles the model with the run's loss and optimizer; `compiled`: its steps run as a graph. */
export function compile(options: TrainOptions, compiled: boolean): void {
  const { model, loss, metrics, learningRate } = options;
  if (loss !== undefined) {
    const given = options.optimizer;
    let optimizer: tf.Optimizer;
    if (isOptimizer(given)) {
      optimizer = given;
      if (learningRate !== undefined) setLearningRate(optimizer, learningRate);
    } else {
      optimizer = createOptimizer(given ?? 'adam', learningRate ?? 1e-3, { compiled });
      createdOptimizers.add(optimizer);
    }
    const previous = model.optimizer as tf.Optimizer | undefined;
    model.compile({ optimizer, loss, metrics: metrics ?? [] });
    if (previous != null && previous !== optimizer && createdOptimizers.has(previous)) {
      previous.dispose();
    }
    if (createdOptimizers.has(optimizer)) {
      // The model owns what train() created, so model.dispose() frees the optimizer state too.
      (model as unknown as { isOptimizerOwned: boolean }).isOptimizerOwned = true;
    }
  } else if (model.optimizer == null) {
    throw new Error(
      'train: pass `loss` (and optionally optimizer/metrics) or compile the model first',
    );
  } else if (learningRate !== undefined) {
    setLearningRate(model.optimizer, learningRate);
  }
}

/** Splits off the last `fraction` of samples (Keras' validationSplit). Caller disposes all four. */
export function splitTail(x: tf.Tensor, y: tf.Tensor, fraction: number) {
  const n = x.shape[0]!;
  const nVal = Math.floor(n * fraction);
  if (nVal < 1 || nVal >= n) {
    throw new Error(`train: validationSplit ${fraction} of ${n} samples leaves an empty split`);
  }
  const nTrain = n - nVal;
  return {
    xTrain: x.slice(0, nTrain),
    yTrain: y.slice(0, nTrain),
    xVal: x.slice(nTrain),
    yVal: y.slice(nTrain),
  };
}

/** Callback instances pass through; plain hook objects (`{ onEpochEnd() {} }`) are wrapped. */
export function normalizeCallbacks(list: TrainOptions['callbacks']): BaseCallback[] {
  return (list ?? []).map((c) =>
    typeof (c as BaseCallback).setParams === 'function' &&
    typeof (c as BaseCallback).setModel === 'function'
      ? (c as BaseCallback)
      : new tf.CustomCallback(c as tf.CustomCallbackArgs),
  );
}

/** Stateful callbacks by a unique key (`stateKey`, then `stateKey#2`, ...). */
export function uniqueStateful(callbacks: BaseCallback[]): Map<string, StatefulCallback> {
  const map = new Map<string, StatefulCallback>();
  for (const callback of callbacks) {
    if (!isStatefulCallback(callback)) continue;
    let key = callback.stateKey;
    for (let i = 2; map.has(key); i++) key = `${callback.stateKey}#${i}`;
    map.set(key, callback);
  }
  return map;
}
