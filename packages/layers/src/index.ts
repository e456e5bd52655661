/**
 * @unet/layers: U-Net building blocks in the Keras functional style and `buildUnet`, with
 * presets reproducing the seed articles' models exactly. TensorFlow.js is a peer dependency.
 *
 * @packageDocumentation
 */

export { batchNormalizationLayer, NativeBatchNormalization } from './batch-norm';
export type { UnetBlockSet, UnetLevelOptions } from './block-set';
export { type BlockSetName, doubleConvBlocks, unetBlockSets } from './block-sets';
export {
  type ConvBlockOptions,
  convBlock,
  type DecoderBlockOptions,
  decoderBlock,
  type EncoderBlockOutput,
  encoderBlock,
} from './blocks';
export { buildUnet } from './build-unet';
export {
  defaultUnetConfig,
  type ResolvedUnetConfig,
  resolveUnetConfig,
  type UnetConfig,
  type UnetOptions,
} from './config';
export { conv2dLayer, NativeConv2D } from './conv';
export { centreCropTo } from './crop';
export { dropoutLayer, NativeDropout } from './dropout';
export { dsb2018Blocks } from './dsb2018-blocks';
export {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  type BatchNormKernelAttrs,
  CONV2D_BACKPROP_KERNEL,
  type Conv2DBackpropKernelAttrs,
  type FusedActivation,
  RANDOM_UNIFORM_KERNEL,
  type RandomUniformKernelAttrs,
} from './kernel-contract';
export type {
  ActivationName,
  InitializerName,
  KerasInitializerName,
  Padding,
  Upsampling,
} from './layer-settings';
export { type UnetPresetName, unetPresets } from './presets';
export { deriveSeed, seedInitialWeights } from './seed-weights';
export { mergeSkip } from './skip-connection';
export {
  formatUnetSummary,
  summarizeUnet,
  type UnetLevelRole,
  type UnetLevelSummary,
  type UnetSummary,
} from './summary';
export { type UpsampleOptions, upsample } from './upsample';
export { UnetConfigError } from './validation';
