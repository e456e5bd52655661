import type * as tf from '@tensorflow/tfjs';
import type { EncoderBlockOutput } from './blocks.js';
import type { ActivationName, InitializerName, Padding, Upsampling } from './layer-settings.js';

/**
 * Everything a block of {@link buildUnet} gets to know about its level. Compatible with
 * `ConvBlockOptions` and `DecoderBlockOptions`, so the exported blocks can be called with it.
 */
export interface UnetLevelOptions {
  /** 1 (top, full resolution) .. depth for encoder and decoder blocks; depth + 1 for the bottleneck. */
  level: number;
  /** Layer name prefix: `enc<level>`, `bottleneck` or `dec<level>`. Use it for every layer. */
  name: string;
  /** Channels of this level's convolutions (and of its decoder's up-convolution). */
  filters: number;
  /** Dropout rate of this level (0: no dropout layer). */
  dropout: number;
  activation: ActivationName;
  kernelInitializer: InitializerName;
  padding: Padding;
  batchNorm: boolean;
  upsampling: Upsampling;
}

/**
 * The three blocks {@link buildUnet} wires into a U: encoder blocks going down, the bottleneck,
 * decoder blocks going up (each joined to the encoder block of its level). Pick a registered set
 * by name (`blocks: 'double-conv'`, `blocks: 'dsb2018'`) or pass your own; a partial set is
 * completed from `'double-conv'`.
 */
export interface UnetBlockSet {
  /** Returns the skip features for the decoder and the 2x-downsampled map for the next level. */
  encoder(input: tf.SymbolicTensor, options: UnetLevelOptions): EncoderBlockOutput;
  /** The deepest level, between the last encoder and the first decoder block. */
  bottleneck(input: tf.SymbolicTensor, options: UnetLevelOptions): tf.SymbolicTensor;
  /** Upsamples `input` x2 and merges it with `skip` (same level's encoder features). */
  decoder(
    input: tf.SymbolicTensor,
    skip: tf.SymbolicTensor,
    options: UnetLevelOptions,
  ): tf.SymbolicTensor;
  /**
   * Unpadded 3x3 convolutions per block, used to check input sizes under padding 'valid' and
   * suggest sizes that fit (each one trims 2 pixels).
   */
  convsPerBlock: { encoder: number; bottleneck: number; decoder: number };
}
