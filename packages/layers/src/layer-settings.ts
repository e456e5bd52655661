import type * as tf from '@tensorflow/tfjs';

/**
 * Activation of the hidden (3x3) convolutions: any TensorFlow.js activation except `'softmax'`,
 * which is reserved for the output of multi-class models.
 */
export type ActivationName = Exclude<
  NonNullable<Parameters<typeof tf.layers.activation>[0]['activation']>,
  'softmax'
>;

/** Activation names accepted by `activation`, for validation and error messages. */
export const activationNames = [
  'relu',
  'elu',
  'selu',
  'relu6',
  'gelu',
  'gelu_new',
  'swish',
  'mish',
  'tanh',
  'sigmoid',
  'hardSigmoid',
  'softplus',
  'softsign',
  'linear',
] as const satisfies readonly ActivationName[];

/**
 * Kernel initializer of the 3x3 convolutions, by TensorFlow.js name. The Keras spellings the
 * articles use (`'he_normal'`, `'glorot_uniform'`, ...) are accepted too, see
 * {@link KerasInitializerName}.
 */
export type InitializerName =
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heNormal'
  | 'heUniform'
  | 'leCunNormal'
  | 'leCunUniform'
  | 'randomNormal'
  | 'randomUniform'
  | 'truncatedNormal'
  | 'varianceScaling'
  | 'zeros'
  | 'ones';

/** Initializer names accepted by `kernelInitializer` (TensorFlow.js spelling). */
export const initializerNames = [
  'glorotUniform',
  'glorotNormal',
  'heNormal',
  'heUniform',
  'leCunNormal',
  'leCunUniform',
  'randomNormal',
  'randomUniform',
  'truncatedNormal',
  'varianceScaling',
  'zeros',
  'ones',
] as const satisfies readonly InitializerName[];

/** Keras spellings of initializers (as the articles write them) and their TensorFlow.js names. */
export const kerasInitializerAliases = {
  glorot_uniform: 'glorotUniform',
  glorot_normal: 'glorotNormal',
  he_normal: 'heNormal',
  he_uniform: 'heUniform',
  lecun_normal: 'leCunNormal',
  lecun_uniform: 'leCunUniform',
  random_normal: 'randomNormal',
  random_uniform: 'randomUniform',
  truncated_normal: 'truncatedNormal',
  variance_scaling: 'varianceScaling',
} as const satisfies Record<string, InitializerName>;

/**
 * A Keras spelling of an initializer, accepted wherever an {@link InitializerName} is:
 * `'glorot_uniform'`, `'glorot_normal'`, `'he_normal'`, `'he_uniform'`, `'lecun_normal'`,
 * `'lecun_uniform'`, `'random_normal'`, `'random_uniform'`, `'truncated_normal'` or
 * `'variance_scaling'` (mapped to the camel-case TensorFlow.js name, e.g. `'heNormal'`).
 */
export type KerasInitializerName = keyof typeof kerasInitializerAliases;

/**
 * The TensorFlow.js name of an initializer given in TensorFlow.js or Keras spelling, or
 * `undefined` when it is neither.
 *
 * @example normalizeInitializerName('he_normal') // 'heNormal'
 */
export function normalizeInitializerName(name: string): InitializerName | undefined {
  if ((initializerNames as readonly string[]).includes(name)) return name as InitializerName;
  return Object.hasOwn(kerasInitializerAliases, name)
    ? kerasInitializerAliases[name as KerasInitializerName]
    : undefined;
}

/**
 * Convolution padding. `'same'` keeps the spatial size (input sides must be multiples of
 * 2^depth); `'valid'` is the original paper's unpadded convolution: every 3x3 convolution trims
 * one pixel per side and skip connections are centre-cropped (572x572 in, 388x388 out).
 */
export type Padding = 'same' | 'valid';

/** Accepted values of `padding`. */
export const paddings = ['same', 'valid'] as const satisfies readonly Padding[];

/**
 * How the decoder doubles the spatial size. `'transpose'`: a 2x2 transposed convolution with
 * stride 2 (the articles). `'bilinear'`: bilinear resize by 2 followed by a 2x2 convolution
 * (padding 'same'), the paper's "upsampling followed by a 2x2 up-convolution"; it has exactly the
 * same number of parameters and avoids checkerboard artefacts.
 */
export type Upsampling = 'transpose' | 'bilinear';

/** Accepted values of `upsampling`. */
export const upsamplings = ['transpose', 'bilinear'] as const satisfies readonly Upsampling[];
