import * as tf from '@tensorflow/tfjs';

/**
 * Checks that `yTrue` and `yPred` have the same shape and a batch axis, and returns both as
 * float32 (masks often arrive as bool or int32). Call inside `tf.tidy`.
 */
export function asFloatPair(
  functionName: string,
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  const same =
    yTrue.rank === yPred.rank && yTrue.shape.every((size, axis) => size === yPred.shape[axis]);
  if (!same) {
    throw new Error(
      `${functionName}: yTrue has shape [${yTrue.shape}] but yPred has shape [${yPred.shape}]; ` +
        'they must match: [N, H, W, 1] masks for binary segmentation, [N, H, W, C] one-hot ' +
        'masks for C classes',
    );
  }
  if (yPred.rank < 2) {
    throw new Error(
      `${functionName}: expected a batch, [N, H, W, C], got shape [${yPred.shape}]; ` +
        'add the batch axis with tensor.expandDims(0)',
    );
  }
  const toFloat = (x: tf.Tensor) => (x.dtype === 'float32' ? x : tf.cast(x, 'float32'));
  return [toFloat(yTrue), toFloat(yPred)];
}

/** Throws unless `value` is a finite number `>= 0`. */
export function checkNonNegative(functionName: string, option: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${functionName}: ${option} must be a finite number >= 0, got ${value}`);
  }
}

/** Throws unless `value` is in [0, 1]. */
export function checkUnitInterval(functionName: string, option: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${functionName}: ${option} must be in [0, 1], got ${value}`);
  }
}

/**
 * Returns class weights as a `[C]` tensor after checking their count against the last axis of
 * `yPred`; all ones when `classWeights` is undefined. Call inside `tf.tidy`.
 */
export function classWeightTensor(
  functionName: string,
  classWeights: readonly number[] | undefined,
  numClasses: number,
): tf.Tensor1D {
  if (classWeights === undefined) return tf.ones([numClasses]);
  if (classWeights.length !== numClasses) {
    throw new Error(
      `${functionName}: classWeights has ${classWeights.length} entries but yPred has ` +
        `${numClasses} classes (last axis); give one weight per class`,
    );
  }
  for (const weight of classWeights) checkNonNegative(functionName, 'each class weight', weight);
  if (classWeights.every((weight) => weight === 0)) {
    throw new Error(`${functionName}: classWeights are all 0; at least one class must count`);
  }
  return tf.tensor1d(classWeights as number[]);
}
