import * as tf from '@tensorflow/tfjs';
import { conv2dLayer } from './conv.js';
import { layerName } from './layer-names.js';
import type { Upsampling } from './layer-settings.js';
import { applyLayer } from './symbolic.js';

/** Options of {@link upsample}. */
export interface UpsampleOptions {
  /** Output channels. */
  filters: number;
  /** `'transpose'` (default) or `'bilinear'`, see {@link Upsampling}. */
  upsampling?: Upsampling;
  /** Layer name prefix: layers are named `${name}_up` (and `${name}_resize` for bilinear). */
  name?: string;
}

/**
 * Doubles height and width and maps the channels to `filters`: the decoder's "up-convolution".
 *
 * - `'transpose'`: `Conv2DTranspose(filters, 2x2, strides 2, padding 'same')`, as all three
 *   articles do.
 * - `'bilinear'`: `UpSampling2D(2, 'bilinear')` then `Conv2D(filters, 2x2, padding 'same')`,
 *   the same parameter count (4 * inChannels * filters + filters).
 *
 * Both are linear (no activation) and use TensorFlow.js' default `glorotUniform` kernels, like
 * the articles, whatever the blocks' `kernelInitializer`. The size doubles exactly under both
 * paddings of the surrounding blocks.
 *
 * @param input - `[batch, h, w, c]`.
 * @returns `[batch, 2h, 2w, filters]`.
 * @example
 * const up = upsample(bottleneck, { filters: 512, upsampling: 'bilinear', name: 'dec4' });
 */
export function upsample(input: tf.SymbolicTensor, options: UpsampleOptions): tf.SymbolicTensor {
  const { filters, upsampling = 'transpose', name } = options;
  if (upsampling === 'transpose') {
    const transposed = tf.layers.conv2dTranspose({
      filters,
      kernelSize: 2,
      strides: 2,
      padding: 'same',
      ...layerName(name, 'up'),
    });
    return applyLayer(transposed, input);
  }
  const resize = tf.layers.upSampling2d({
    size: [2, 2],
    interpolation: 'bilinear',
    ...layerName(name, 'resize'),
  });
  const conv = conv2dLayer({
    filters,
    kernelSize: 2,
    padding: 'same',
    ...layerName(name, 'up'),
  });
  return applyLayer(conv, applyLayer(resize, input));
}
