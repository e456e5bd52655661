// Type-checked (tsc, module NodeNext, strict) against the installed @unet/layers: the public
// types must be usable from a consumer's own TypeScript.
import * as tf from '@tensorflow/tfjs';
import {
  buildUnet,
  convBlock,
  type ResolvedUnetConfig,
  resolveUnetConfig,
  summarizeUnet,
  type UnetBlockSet,
  UnetConfigError,
  type UnetOptions,
  type UnetPresetName,
  type UnetSummary,
} from '@unet/layers';

const preset: UnetPresetName = 'dsb2018';
const cfg: UnetOptions = { preset, inputShape: [32, 32, 3], dropout: 0.1 };
const custom: UnetOptions = {
  inputShape: [64, 64, 1],
  depth: 3,
  filters: [8, 16, 32, 64],
  kernelInitializer: 'he_normal',
  upsampling: 'bilinear',
  numClasses: 2,
};

const residualEncoder: UnetBlockSet['encoder'] = (input, options) => {
  const features = convBlock(input, options);
  const shortcut = tf.layers
    .conv2d({ filters: options.filters, kernelSize: 1, name: `${options.name}_shortcut` })
    .apply(input) as tf.SymbolicTensor;
  const skip = tf.layers.add().apply([features, shortcut]) as tf.SymbolicTensor;
  const down = tf.layers.maxPooling2d({ poolSize: 2 }).apply(skip) as tf.SymbolicTensor;
  return { skip, down };
};

export function build(): tf.LayersModel[] {
  const resolved: ResolvedUnetConfig = resolveUnetConfig(custom);
  const outputShape: [number, number, number] = resolved.outputShape;
  console.log(outputShape);
  const model: tf.LayersModel = buildUnet(cfg);
  const summary: UnetSummary = summarizeUnet(model);
  const params: number = summary.totalParams;
  console.log(params);
  return [model, buildUnet({ ...custom, blocks: { encoder: residualEncoder } })];
}

export function describeError(error: unknown): string {
  return error instanceof UnetConfigError ? error.message : String(error);
}

// @ts-expect-error: inputShape needs three numbers.
const wrong: UnetOptions = { inputShape: [32, 32] };
console.log(wrong);
