import type * as tf from '@tensorflow/tfjs';

/**
 * What prediction needs of a model: its input shape and `predict`. A `tf.LayersModel` is one; so
 * is a wrapper that runs the same model another way (e.g. `{ inputs: model.inputs, predict: (x)
 * => compiled.predict(x) }` for a compiled graph), which keeps this package backend-agnostic.
 */
export interface PredictModel {
  readonly inputs: readonly { readonly shape: readonly (number | null)[] }[];
  /** The model's output for an NHWC batch (the first output is used when several). */
  predict(x: tf.Tensor): tf.Tensor | tf.Tensor[];
}

/** The model's NHWC input size (null for free dimensions) and channels. */
export function fixedInputSize(model: Pick<PredictModel, 'inputs'>): {
  height: number | null;
  width: number | null;
  channels: number;
} {
  const shape = model.inputs[0]!.shape;
  const channels = shape[3];
  if (shape.length !== 4 || channels == null) {
    throw new Error(`the model's input must be NHWC with a known channel count, got [${shape}]`);
  }
  return { height: shape[1] ?? null, width: shape[2] ?? null, channels };
}
