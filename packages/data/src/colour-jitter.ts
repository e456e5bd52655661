/**
 * Photometric augmentation: random saturation, contrast and brightness of an image in [0, 1].
 * Only the image changes (masks keep every pixel); lighting differs between the sequences of
 * street-scene and microscopy sets, and this is the cheap way to train for it.
 */
import type { RasterImage } from './image-io.js';
import type { Random } from './random.js';

/** Ranges of the colour jitter; each factor is drawn uniformly per sample. */
export interface ColourOptions {
  /** Added to every value: uniform in [-brightness, brightness] (default 0.1). */
  brightness?: number;
  /** Each channel scaled about its mean by a factor in [1 - contrast, 1 + contrast] (default 0.2). */
  contrast?: number;
  /** RGB only: blend with the grey level by a factor in [1 - saturation, 1 + saturation] (default 0.2). */
  saturation?: number;
  /** Chance of jittering a given sample (default 0.8). */
  probability?: number;
}

// ITU-R BT.601 luma, the weights of `tf.image.rgbToGrayscale`.
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Draws one jitter from `options` and applies it: saturation, then contrast, then brightness,
 * the result clamped to [0, 1]. The probability is drawn by the caller ({@link augmentPair}).
 */
export function jitterColour(
  image: RasterImage,
  random: Random,
  options: ColourOptions = {},
): RasterImage {
  const brightness = uniform(random, options.brightness ?? 0.1);
  const contrast = 1 + uniform(random, options.contrast ?? 0.2);
  const saturation = 1 + uniform(random, options.saturation ?? 0.2);
  const { data, channels, width, height } = image;
  const out = new Float32Array(data);
  const pixels = width * height;
  if (channels === 3 && saturation !== 1) {
    for (let i = 0; i < pixels; i++) {
      const p = i * 3;
      const grey = LUMA[0] * out[p]! + LUMA[1] * out[p + 1]! + LUMA[2] * out[p + 2]!;
      for (let c = 0; c < 3; c++) out[p + c] = grey + (out[p + c]! - grey) * saturation;
    }
  }
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = 0; i < pixels; i++) sum += out[i * channels + c]!;
    const mean = sum / pixels;
    for (let i = 0; i < pixels; i++) {
      const k = i * channels + c;
      const v = (out[k]! - mean) * contrast + mean + brightness;
      out[k] = Math.min(1, Math.max(0, v));
    }
  }
  return { data: out, width, height, channels };
}

/** Uniform in [-range, range]; always one draw, so the sequence does not depend on the range. */
function uniform(random: Random, range: number): number {
  return (2 * random() - 1) * range;
}
