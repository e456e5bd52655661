// Shared by the tests only (not exported from the package).
import * as tf from '@tensorflow/tfjs';

/**
 * A seeded toy segmentation model on 8x8x2 inputs: a 3x3 ReLU convolution of `filters`, then a
 * 1x1 head to `classes` (sigmoid for one class, softmax for more).
 */
export function toyModel({ filters = 4, classes = 1, seed = 1 } = {}): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const hidden = tf.layers.conv2d({
    inputShape: [8, 8, 2],
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: init(seed),
  });
  const activation = classes === 1 ? 'sigmoid' : 'softmax';
  const head = tf.layers.conv2d({
    filters: classes,
    kernelSize: 1,
    activation,
    kernelInitializer: init(seed + 1),
  });
  return tf.sequential({ layers: [hidden, head] });
}
