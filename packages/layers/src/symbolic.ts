import * as tf from '@tensorflow/tfjs';

/**
 * Applies a layer to symbolic input(s) and returns its single symbolic output (Keras functional
 * style, `layer(x)`), failing loudly if the layer returned several outputs or a concrete tensor.
 */
export function applyLayer(
  layer: tf.layers.Layer,
  input: tf.SymbolicTensor | tf.SymbolicTensor[],
): tf.SymbolicTensor {
  const output = layer.apply(input);
  if (!(output instanceof tf.SymbolicTensor)) {
    throw new Error(`layer ${layer.name} did not return one symbolic tensor`);
  }
  return output;
}

/** Height and width of an NHWC symbolic tensor (throws when they are not known). */
export function spatialSize(tensor: tf.SymbolicTensor): [number, number] {
  const [, height, width] = tensor.shape;
  if (height == null || width == null) {
    throw new Error(
      `tensor ${tensor.name} has unknown height/width: ${JSON.stringify(tensor.shape)}`,
    );
  }
  return [height, width];
}
