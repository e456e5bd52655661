import * as tf from '@tensorflow/tfjs';
import { batchNormalizationLayer } from './batch-norm.js';
import { conv2dLayer } from './conv.js';
import { dropoutLayer } from './dropout.js';
import { layerName } from './layer-names.js';
import type { ActivationName, InitializerName, Padding, Upsampling } from './layer-settings.js';
import { mergeSkip } from './skip-connection.js';
import { applyLayer } from './symbolic.js';
import { upsample } from './upsample.js';

/** Options of {@link convBlock}, shared by {@link encoderBlock} and {@link decoderBlock}. */
export interface ConvBlockOptions {
  /** Output channels of every 3x3 convolution in the block. */
  filters: number;
  /** Number of 3x3 convolutions. Default 2 (every article). */
  convs?: number;
  /** Activation after each convolution. Default `'relu'`. */
  activation?: ActivationName;
  /** Kernel initializer of the convolutions. Default `'glorotUniform'` (the Keras default). */
  kernelInitializer?: InitializerName;
  /** `'same'` (default) keeps h and w; `'valid'` trims 2 pixels per convolution. */
  padding?: Padding;
  /**
   * Batch normalization between each convolution and its activation
   * (`Conv2D -> BatchNormalization -> Activation`, seeds 001/002). Default `false`: the
   * activation is then part of the convolution (`Conv2D(activation=...)`, seed 003).
   */
  batchNorm?: boolean;
  /** Dropout rate after every convolution but the last (seeds 000, 003). Default 0: no layer. */
  dropout?: number;
  /** Layer name prefix: `${name}_conv1`, `${name}_bn1`, `${name}_act1`, `${name}_drop1`, ... */
  name?: string;
}

/**
 * The U-Net convolution block: `convs` 3x3 convolutions, each followed by its activation (with
 * optional batch normalization in between), with optional dropout between them. Keras
 * functional style: takes and returns a `tf.SymbolicTensor`.
 *
 * Shapes: `[batch, h, w, c]` -> `[batch, h, w, filters]` with padding 'same',
 * `[batch, h - 2 * convs, w - 2 * convs, filters]` with 'valid'.
 *
 * @example
 * const input = tf.input({ shape: [128, 128, 3] });
 * // seed 001: Conv2D -> BatchNormalization -> ReLU, twice
 * const features = convBlock(input, { filters: 64, batchNorm: true }); // [null, 128, 128, 64]
 */
export function convBlock(input: tf.SymbolicTensor, options: ConvBlockOptions): tf.SymbolicTensor {
  const {
    filters,
    convs = 2,
    activation = 'relu',
    kernelInitializer = 'glorotUniform',
    padding = 'same',
    batchNorm = false,
    dropout = 0,
    name,
  } = options;
  let x = input;
  for (let i = 1; i <= convs; i++) {
    const conv = conv2dLayer({
      filters,
      kernelSize: 3,
      padding,
      kernelInitializer,
      ...(batchNorm ? {} : { activation }),
      ...layerName(name, `conv${i}`),
    });
    x = applyLayer(conv, x);
    if (batchNorm) {
      x = applyLayer(batchNormalizationLayer(layerName(name, `bn${i}`)), x);
      x = applyLayer(tf.layers.activation({ activation, ...layerName(name, `act${i}`) }), x);
    }
    if (dropout > 0 && i < convs) {
      x = applyLayer(dropoutLayer({ rate: dropout, ...layerName(name, `drop${i}`) }), x);
    }
  }
  return x;
}

/** What an encoder block hands on: features for the skip connection, and the pooled map. */
export interface EncoderBlockOutput {
  /** Full-resolution features, concatenated into the decoder block of the same level. */
  skip: tf.SymbolicTensor;
  /** The features max-pooled 2x2: input of the next level. */
  down: tf.SymbolicTensor;
}

/**
 * The U-Net encoder (contracting) block: a {@link convBlock}, then 2x2 max pooling
 * (`${name}_pool`). The convolution output is returned as `skip` for the decoder.
 *
 * Shapes ('same'): `[batch, h, w, c]` -> skip `[batch, h, w, filters]`,
 * down `[batch, h/2, w/2, filters]`; h and w must be even at the pooling.
 *
 * @example
 * const { skip, down } = encoderBlock(input, { filters: 64, batchNorm: true, name: 'enc1' });
 * // input [null, 512, 512, 3] -> skip [null, 512, 512, 64], down [null, 256, 256, 64]
 */
export function encoderBlock(
  input: tf.SymbolicTensor,
  options: ConvBlockOptions,
): EncoderBlockOutput {
  const skip = convBlock(input, options);
  const pool = tf.layers.maxPooling2d({ poolSize: 2, ...layerName(options.name, 'pool') });
  return { skip, down: applyLayer(pool, skip) };
}

/** Options of {@link decoderBlock}: a conv block's options plus the upsampling method. */
export interface DecoderBlockOptions extends ConvBlockOptions {
  /** `'transpose'` (default) or `'bilinear'`, see {@link upsample}. */
  upsampling?: Upsampling;
}

/**
 * The U-Net decoder (expansive) block: upsample x2 to `filters` channels ({@link upsample}),
 * concatenate with the skip connection (centre-cropped when larger, 'valid' padding), then a
 * {@link convBlock}.
 *
 * Shapes ('same'): input `[batch, h, w, c]`, skip `[batch, 2h, 2w, s]` ->
 * `[batch, 2h, 2w, filters]`.
 *
 * @example
 * const d4 = decoderBlock(bottleneck, skip4, { filters: 512, batchNorm: true, name: 'dec4' });
 * // bottleneck [null, 32, 32, 1024], skip4 [null, 64, 64, 512] -> [null, 64, 64, 512]
 */
export function decoderBlock(
  input: tf.SymbolicTensor,
  skip: tf.SymbolicTensor,
  options: DecoderBlockOptions,
): tf.SymbolicTensor {
  const { upsampling, ...convOptions } = options;
  const up = upsample(input, { filters: options.filters, upsampling, name: options.name });
  return convBlock(mergeSkip(up, skip, options.name), convOptions);
}
