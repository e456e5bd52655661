import type { UnetBlockSet } from './block-set';
import type { BlockSetName } from './block-sets';
import type {
  ActivationName,
  InitializerName,
  KerasInitializerName,
  Padding,
  Upsampling,
} from './layer-settings';
import { defaultUnetConfig, type UnetPresetName, unetPresets } from './presets';

export { defaultUnetConfig };

import { UnetConfigError, validateUnetConfig } from './validation';

/**
 * A complete U-Net description: what {@link buildUnet} builds and what a preset is.
 *
 * Input-size rule: with padding `'same'` height and width must be multiples of 2^depth (16 for
 * depth 4); with `'valid'` they must survive every unpadded convolution with even sizes at each
 * pooling (572 fits depth 4 and gives 388). The error message names the nearest sizes that fit.
 */
export interface UnetConfig {
  /** `[height, width, channels]` of one input image (NHWC, no batch). */
  inputShape: readonly [number, number, number];
  /** Number of 2x2 poolings (encoder levels); the U has depth + 1 levels. Default 4. */
  depth: number;
  /**
   * Channels per level: a number is level 1's, doubled at every level down (64 -> 64, 128, 256,
   * 512, 1024); or one number per level, `depth + 1` of them, the bottleneck last. Decoder
   * level i uses level i's filters. Default 64.
   */
  filters: number | readonly number[];
  /** Batch normalization in the blocks (where depends on `blocks`). Default `false`. */
  batchNorm: boolean;
  /**
   * Dropout rate in [0, 1), one for all levels or `depth + 1` rates (levels 1..depth, then the
   * bottleneck); decoder level i reuses rate i. 0 adds no layer. Default 0.
   */
  dropout: number | readonly number[];
  /** Activation of the hidden convolutions. Default `'relu'`. */
  activation: ActivationName;
  /**
   * Initializer of the 3x3 convolutions, TensorFlow.js (`'heNormal'`) or Keras (`'he_normal'`)
   * spelling. The up-convolutions and the 1x1 output keep the default `glorotUniform`, as in the
   * articles. Default `'glorotUniform'`.
   */
  kernelInitializer: InitializerName | KerasInitializerName;
  /** `'transpose'` (default) or `'bilinear'` + 2x2 conv, see {@link Upsampling}. */
  upsampling: Upsampling;
  /** `'same'` (default) or `'valid'` with centre-cropped skips, see {@link Padding}. */
  padding: Padding;
  /** Output channels: 1 -> sigmoid (binary mask), more -> softmax over classes. Default 1. */
  numClasses: number;
  /**
   * Block layout: a registered set (`'double-conv'`, default; `'dsb2018'`) or your own blocks,
   * a partial set being completed from `'double-conv'`. See {@link unetBlockSets}.
   */
  blocks: BlockSetName | Partial<UnetBlockSet>;
  /** Model name. Default `'unet'`, or the preset's. */
  name: string;
}

/**
 * What {@link buildUnet} accepts: a preset and/or any {@link UnetConfig} fields. Fields given
 * override the preset's, the rest come from the preset or the defaults; `inputShape` is required
 * without a preset.
 */
export type UnetOptions = Partial<UnetConfig> & {
  /** Start from one of {@link unetPresets}: `'dsb2018'`, `'satellite'` or `'paper'`. */
  preset?: UnetPresetName;
  /**
   * Seed of the initial weights and of the dropout masks (see `seedInitialWeights`):
   * models built with the same seed start identical. Default: random (`Math.random`).
   */
  seed?: number;
};

/** A validated config with every choice spelt out, as {@link resolveUnetConfig} returns it. */
export interface ResolvedUnetConfig {
  name: string;
  /** The preset it started from, if any. */
  preset: UnetPresetName | undefined;
  inputShape: [number, number, number];
  depth: number;
  /** `depth + 1` channel counts, level 1 first, bottleneck last. */
  filters: number[];
  /** `depth + 1` dropout rates, level 1 first, bottleneck last. */
  dropout: number[];
  batchNorm: boolean;
  activation: ActivationName;
  /** TensorFlow.js spelling. */
  kernelInitializer: InitializerName;
  upsampling: Upsampling;
  padding: Padding;
  numClasses: number;
  /** The complete block set. */
  blocks: UnetBlockSet;
  /** Registered block set name, or `'custom'`. */
  blocksName: BlockSetName | 'custom';
  /** `[height, width, numClasses]`: the input size under 'same', smaller under 'valid'. */
  outputShape: [number, number, number];
  /** `[height, width]` at every level, as the articles print them. */
  levelSizes: {
    /** Skip features of encoder levels 1..depth. */
    skips: [number, number][];
    bottleneck: [number, number];
    /** Outputs of decoder levels 1..depth. */
    decoded: [number, number][];
  };
}

/**
 * Merges preset, defaults and overrides, validates the result and expands it (per-level filters
 * and dropout, block set, output shape). {@link buildUnet} calls it; call it yourself to check a
 * config or learn a model's output size (e.g. under 'valid' padding) without building anything.
 *
 * @throws {@link UnetConfigError} listing every problem with what to change.
 * @example
 * resolveUnetConfig({ preset: 'paper', padding: 'valid', inputShape: [572, 572, 1] }).outputShape
 * // [388, 388, 1]
 */
export function resolveUnetConfig(options: UnetOptions): ResolvedUnetConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new UnetConfigError([
      "buildUnet takes an options object, e.g. { inputShape: [128, 128, 3] } or { preset: 'dsb2018' }",
    ]);
  }
  // The seed is used after building (buildUnet); here it is only checked.
  const { preset, seed, ...overrides } = options;
  const presetConfig =
    preset !== undefined && Object.hasOwn(unetPresets, preset) ? unetPresets[preset] : {};
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  );
  return validateUnetConfig(
    { ...defaultUnetConfig, ...presetConfig, ...defined, preset, seed },
    options,
  );
}
