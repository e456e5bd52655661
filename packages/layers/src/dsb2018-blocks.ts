import * as tf from '@tensorflow/tfjs';
import { batchNormalizationLayer } from './batch-norm.js';
import type { UnetBlockSet, UnetLevelOptions } from './block-set.js';
import { convBlock } from './blocks.js';
import { conv2dLayer } from './conv.js';
import { dropoutLayer } from './dropout.js';
import { layerName } from './layer-names.js';
import { mergeSkip } from './skip-connection.js';
import { applyLayer } from './symbolic.js';
import { upsample } from './upsample.js';

/** `BatchNormalization -> activation` (`${name}_bn`, `${name}_act`); identity without batchNorm. */
function normalizeThenActivate(x: tf.SymbolicTensor, options: UnetLevelOptions): tf.SymbolicTensor {
  if (!options.batchNorm) return x;
  const normalized = applyLayer(batchNormalizationLayer(layerName(options.name, 'bn')), x);
  const activation = tf.layers.activation({
    activation: options.activation,
    ...layerName(options.name, 'act'),
  });
  return applyLayer(activation, normalized);
}

function conv3x3(x: tf.SymbolicTensor, options: UnetLevelOptions, index: number) {
  const conv = conv2dLayer({
    filters: options.filters,
    kernelSize: 3,
    padding: options.padding,
    activation: options.activation,
    kernelInitializer: options.kernelInitializer,
    ...layerName(options.name, `conv${index}`),
  });
  return applyLayer(conv, x);
}

/**
 * The blocks of the DSB2018 nuclei article (seed 000, Derrick Mwiti), which "differs slightly
 * from the original paper":
 *
 * - encoder: `Conv2D(act) -> Dropout -> Conv2D(act)` is the skip; the pooled path adds
 *   `BatchNormalization -> act` before `MaxPooling2D` (the skip is taken before it);
 * - bottleneck: `Conv2D(act) -> BatchNormalization -> act -> Dropout -> Conv2D(act)`;
 * - decoder: asymmetric, no convolutions: `up-conv -> concatenate(skip) ->
 *   BatchNormalization -> act`, so it outputs `filters + skip channels` channels.
 *
 * The article writes the standalone activation as `ReLU()`; here it is `Activation(act)` (the
 * same function for `'relu'`, and it follows an `activation` override). With `batchNorm: false`
 * the normalization and its extra activation are left out.
 */
export const dsb2018Blocks: UnetBlockSet = {
  encoder(input, options) {
    const skip = convBlock(input, { ...options, batchNorm: false });
    const pool = tf.layers.maxPooling2d({ poolSize: 2, ...layerName(options.name, 'pool') });
    return { skip, down: applyLayer(pool, normalizeThenActivate(skip, options)) };
  },
  bottleneck(input, options) {
    let x = normalizeThenActivate(conv3x3(input, options, 1), options);
    if (options.dropout > 0) {
      const dropout = dropoutLayer({
        rate: options.dropout,
        ...layerName(options.name, 'drop'),
      });
      x = applyLayer(dropout, x);
    }
    return conv3x3(x, options, 2);
  },
  decoder(input, skip, options) {
    const up = upsample(input, options);
    return normalizeThenActivate(mergeSkip(up, skip, options.name), options);
  },
  convsPerBlock: { encoder: 2, bottleneck: 2, decoder: 0 },
};
