/**
 * @unet/layers: U-Net building blocks in the Keras functional style and `buildUnet`, with
 * presets reproducing the seed articles' models exactly. TensorFlow.js is a peer dependency.
 *
 * @packageDocumentation
 */

export { batchNormalizationLayer, NativeBatchNormalization } from './batch-norm.js';
export type { UnetBlockSet, UnetLevelOptions } from './block-set.js';
export { type BlockSetName, doubleConvBlocks, unetBlockSets } from './block-sets.js';
export {
  type ConvBlockOptions,
  convBlock,
  type DecoderBlockOptions,
  decoderBlock,
  type EncoderBlockOutput,
  encoderBlock,
} from './blocks.js';
export { buildUnet } from './build-unet.js';
export {
  defaultUnetConfig,
  type ResolvedUnetConfig,
  resolveUnetConfig,
  type UnetConfig,
  type UnetOptions,
} from './config.js';
export { conv2dLayer, NativeConv2D } from './conv.js';
export { centreCropTo } from './crop.js';
export { dropoutLayer, NativeDropout } from './dropout.js';
export { dsb2018Blocks } from './dsb2018-blocks.js';
export {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  type BatchNormKernelAttrs,
  CONV2D_BACKPROP_KERNEL,
  type Conv2DBackpropKernelAttrs,
  type FusedActivation,
  RANDOM_UNIFORM_KERNEL,
  type RandomUniformKernelAttrs,
} from './kernel-contract.js';
export type {
  ActivationName,
  InitializerName,
  KerasInitializerName,
  Padding,
  Upsampling,
} from './layer-settings.js';
export { type UnetPresetName, unetPresets } from './presets.js';
export { deriveSeed, seedInitialWeights } from './seed-weights.js';
export { mergeSkip } from './skip-connection.js';
export {
  formatUnetSummary,
  summarizeUnet,
  type UnetLevelRole,
  type UnetLevelSummary,
  type UnetSummary,
} from './summary.js';
export { type UpsampleOptions, upsample } from './upsample.js';
export { UnetConfigError } from './validation.js';
