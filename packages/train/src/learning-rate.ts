import type * as tf from '@tensorflow/tfjs';

interface WithLearningRate {
  learningRate?: number;
  setLearningRate?: (lr: number) => void;
}

/**
 * The optimizer's current learning rate. Every tfjs optimizer (sgd, momentum, adam, adamax,
 * adagrad, adadelta, rmsprop) keeps it in `learningRate`.
 * @throws when the optimizer has no numeric `learningRate`.
 */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as WithLearningRate).learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr)) {
    throw new Error(
      `optimizer ${optimizer.getClassName()} has no numeric learningRate; cannot read or change it`,
    );
  }
  return lr;
}

/**
 * Changes the optimizer's learning rate for the following steps. Uses `setLearningRate` where the
 * optimizer has one (SGD and momentum cache `-lr` as a tensor), else assigns `learningRate`
 * (adam, adamax, adagrad, adadelta and rmsprop read it at every step).
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be > 0, got ${lr}`);
  getLearningRate(optimizer);
  const target = optimizer as unknown as WithLearningRate;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(lr);
  else target.learningRate = lr;
}
