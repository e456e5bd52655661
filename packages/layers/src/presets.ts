import type { UnetConfig } from './config.js';

/** Defaults of every field but `inputShape`: the paper's U-Net without batch norm. */
export const defaultUnetConfig: Readonly<Omit<UnetConfig, 'inputShape'>> = {
  name: 'unet',
  depth: 4,
  filters: 64,
  batchNorm: false,
  dropout: 0,
  activation: 'relu',
  kernelInitializer: 'glorotUniform',
  upsampling: 'transpose',
  padding: 'same',
  numClasses: 1,
  blocks: 'double-conv',
};

/** What the two articles' models share: 128x128x3, 16..256 filters, the same dropout, he_normal. */
const ARTICLE_MODEL = {
  inputShape: [128, 128, 3],
  depth: 4,
  filters: 16,
  dropout: [0.1, 0.1, 0.2, 0.2, 0.3],
  kernelInitializer: 'heNormal',
  upsampling: 'transpose',
  padding: 'same',
  numClasses: 1,
} as const;

/**
 * The seed articles' models as configs. Each reproduces its Keras model layer for layer, with
 * the exact parameter count of Keras' `model.summary()` (checked against
 * `reference/keras-models.json` by the tests):
 *
 * | preset | article | input | parameters (trainable) |
 * |---|---|---|---|
 * | `'dsb2018'` | seed 000, DSB2018 nuclei (Mwiti) | 128x128x3 | 1,400,033 (1,398,081) |
 * | `'satellite'` | seed 003, buildings (Pallawi) | 128x128x3 | 1,941,105 (1,941,105) |
 * | `'paper'` | seeds 001/002, U-Net with batch norm | 512x512x3 | 31,055,297 (31,043,521) |
 *
 * Override any field: `buildUnet({ preset: 'paper', inputShape: [256, 256, 1], numClasses: 3 })`.
 */
export const unetPresets = {
  /**
   * DSB2018 nuclei (seed 000): 16..256 filters, ReLU + he_normal, dropout 0.1/0.1/0.2/0.2/0.3
   * inside the encoder blocks, the article's own block layout (`blocks: 'dsb2018'`: batch norm +
   * ReLU before each pooling and in the bottleneck, decoder without convolutions). Its 9
   * BatchNormalization layers hold the 1,952 non-trainable parameters (moving mean/variance).
   */
  dsb2018: {
    ...ARTICLE_MODEL,
    name: 'unet_dsb2018',
    batchNorm: true,
    activation: 'relu',
    blocks: 'dsb2018',
  },
  /**
   * Buildings in satellite images (seed 003): 16..256 filters, ELU + he_normal,
   * `conv -> dropout -> conv` at every level (0.1/0.1/0.2/0.2/0.3 going down, mirrored going
   * up), no batch norm. The article divides by 255 inside the model; here the data pipeline
   * delivers images in [0, 1] already, so that parameter-free layer is left out.
   */
  satellite: {
    ...ARTICLE_MODEL,
    name: 'unet_satellite',
    batchNorm: false,
    activation: 'elu',
    blocks: 'double-conv',
  },
  /**
   * The original-size U-Net of seeds 001/002: 64..1024 filters, `Conv2D -> BatchNormalization
   * -> ReLU` twice per block, Keras' default glorot_uniform kernels, 512x512x3. Use
   * `padding: 'valid', inputShape: [572, 572, 1]` for Ronneberger et al.'s 572 -> 388 geometry.
   */
  paper: { ...defaultUnetConfig, name: 'unet_paper', inputShape: [512, 512, 3], batchNorm: true },
} as const satisfies Record<string, UnetConfig>;

/** Name of a preset in {@link unetPresets}. */
export type UnetPresetName = keyof typeof unetPresets;

/** Preset names, for validation and error messages. */
export const unetPresetNames = Object.keys(unetPresets) as UnetPresetName[];
