import * as tf from '@tensorflow/tfjs';
import { FlatAdamOptimizer } from './flat-adam.js';

/** Optimizers `train()` can create by name. */
export const OPTIMIZER_NAMES = [
  'adam',
  'adamax',
  'sgd',
  'momentum',
  'rmsprop',
  'adagrad',
  'adadelta',
] as const;

/** A name from {@link OPTIMIZER_NAMES}. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

const FACTORIES: Record<OptimizerName, (lr: number, compiled: boolean) => tf.Optimizer> = {
  // tfjs's defaults (beta1 0.9, beta2 0.999, the backend's epsilon), all variables at once when
  // eager; in a compiled graph the flat buffers would only add copies (measured 150 MB more peak
  // RSS on the paper preset, no faster), so there tfjs's own Adam, whose state has the same layout.
  adam: (lr, compiled) =>
    compiled ? tf.train.adam(lr, 0.9, 0.999) : new FlatAdamOptimizer(lr, 0.9, 0.999),
  adamax: (lr) => tf.train.adamax(lr),
  sgd: (lr) => tf.train.sgd(lr),
  momentum: (lr) => tf.train.momentum(lr, 0.9),
  rmsprop: (lr) => tf.train.rmsprop(lr),
  adagrad: (lr) => tf.train.adagrad(lr),
  adadelta: (lr) => tf.train.adadelta(lr),
};

export interface CreateOptimizerOptions {
  /** The optimizer will run in a compiled step (`compileTrainStep`, `train({ compile })`). */
  compiled?: boolean;
}

/**
 * Creates a tfjs optimizer by name with the given learning rate (`momentum` uses momentum 0.9;
 * `adam` is {@link FlatAdamOptimizer}, tfjs's Adam updating all variables in one pass, or with
 * `compiled` tfjs's own Adam; both save the same checkpoint state).
 * @throws listing the valid names when `name` is unknown.
 */
export function createOptimizer(
  name: string,
  learningRate: number,
  options: CreateOptimizerOptions = {},
): tf.Optimizer {
  const factory = FACTORIES[name as OptimizerName];
  if (factory === undefined) {
    throw new Error(`unknown optimizer '${name}': use one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new Error(`learningRate must be a positive number, got ${learningRate}`);
  }
  return factory(learningRate, options.compiled === true);
}
