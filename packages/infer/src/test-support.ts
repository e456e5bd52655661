// Shared by the tests only (not exported from the package).
import * as tf from '@tensorflow/tfjs';

/**
 * A 1x1 convolution of weight 1, no bias, on `size`x`size`x1 inputs (any size when null): the
 * output is `activation(input)`, so a test knows every prediction exactly.
 */
export function onesConv(
  size: number | null = null,
  activation: 'linear' | 'sigmoid' = 'linear',
): tf.LayersModel {
  const layer = tf.layers.conv2d({
    inputShape: [size, size, 1],
    filters: 1,
    kernelSize: 1,
    kernelInitializer: 'ones',
    useBias: false,
    activation,
  });
  return tf.sequential({ layers: [layer] });
}
