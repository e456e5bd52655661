import type * as tf from '@tensorflow/tfjs';
import { BundleError, type BundleManifest } from './bundle-manifest.js';
import { normalizePercentiles } from './percentile-stretch.js';
import { predictProbability } from './predict-image.js';
import { fixedInputSize } from './predict-model.js';
import { type RasterImage, thresholdRaster } from './raster.js';

/** Options of {@link predictWithBundle}. */
export interface BundlePredictOptions {
  /**
   * Bits per sample of the decoded file (8 or 16); 16-bit images get the manifest's percentile
   * stretch, as the satellite reader did in training. Default 8.
   */
  bitDepth?: number;
  /** Overrides the manifest's threshold. */
  threshold?: number;
  /** Progress in tiles (1 of 1 for resized prediction); awaited, so a page can yield here. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** The result of {@link predictWithBundle}, both at the image's original size. */
export interface BundlePrediction {
  /** Foreground probability, 1 channel. */
  probability: RasterImage;
  /** {0, 1} mask, 1 channel. */
  mask: RasterImage;
}

/** Channel conversions `toChannels` does (grey <-> RGB, RGBA -> RGB or grey). */
function convertible(from: number, to: number): boolean {
  return from === to || (to === 3 && (from === 1 || from === 4)) || (to === 1 && from >= 3);
}

/**
 * Checks that a loaded model is the one the manifest describes (input size and channels).
 * @throws {@link BundleError} naming `manifestFile` when they differ.
 */
export function checkBundleModel(
  model: tf.LayersModel,
  manifest: BundleManifest,
  manifestFile: string,
): void {
  const fixed = fixedInputSize(model);
  const { input } = manifest;
  const sizeDiffers =
    (fixed.height !== null && fixed.height !== input.height) ||
    (fixed.width !== null && fixed.width !== input.width);
  if (fixed.channels !== input.channels || sizeDiffers) {
    throw new BundleError(
      manifestFile,
      `describes a ${input.height}x${input.width}x${input.channels} input, the model takes ` +
        `${fixed.height ?? '?'}x${fixed.width ?? '?'}x${fixed.channels}`,
    );
  }
}

/**
 * Segments one decoded image (values in [0, 1], as `decodeImage` or a canvas / 255 give them) the
 * way the bundle's recipe does: the manifest's normalisation, then resized or tiled prediction,
 * then its threshold. Node and the browser call this same function, so they give the same mask.
 * @throws when the image's channel count cannot be turned into the model's.
 */
export async function predictWithBundle(
  model: tf.LayersModel,
  manifest: BundleManifest,
  image: RasterImage,
  options: BundlePredictOptions = {},
): Promise<BundlePrediction> {
  const channels = manifest.input.channels;
  if (!convertible(image.channels, channels)) {
    throw new Error(
      `the model takes ${channels}-channel images; this image has ${image.channels} channels`,
    );
  }
  const stretch = manifest.normalization.percentile16;
  const normalized =
    (options.bitDepth ?? 8) === 16 && stretch !== null
      ? normalizePercentiles(image, stretch)
      : image;
  const { tiling } = manifest;
  const probability = await predictProbability(model, normalized, {
    tile: tiling ? { ...tiling, onProgress: options.onProgress } : false,
    inputSize: tiling ? undefined : [manifest.input.height, manifest.input.width],
  });
  if (!tiling) await options.onProgress?.(1, 1);
  return {
    probability,
    mask: thresholdRaster(probability, options.threshold ?? manifest.threshold),
  };
}
