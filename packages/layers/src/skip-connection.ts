import * as tf from '@tensorflow/tfjs';
import { centreCropTo } from './crop.js';
import { layerName } from './layer-names.js';
import { applyLayer, spatialSize } from './symbolic.js';

/**
 * Joins upsampled decoder features with the encoder's skip connection along channels
 * (`concatenate([up, skip])`, upsampled first as in the articles). A larger skip ('valid'
 * padding) is centre-cropped to the upsampled size first, layer `${name}_crop`.
 *
 * @param up - `[batch, h, w, cUp]`.
 * @param skip - `[batch, h', w', cSkip]` with h' >= h and w' >= w.
 * @param name - layer name prefix (`${name}_concat`).
 * @returns `[batch, h, w, cUp + cSkip]`.
 */
export function mergeSkip(
  up: tf.SymbolicTensor,
  skip: tf.SymbolicTensor,
  name?: string,
): tf.SymbolicTensor {
  const cropped = centreCropTo(skip, spatialSize(up), layerName(name, 'crop').name);
  return applyLayer(tf.layers.concatenate({ axis: -1, ...layerName(name, 'concat') }), [
    up,
    cropped,
  ]);
}
