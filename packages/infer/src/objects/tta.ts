/**
 * Test-time augmentation: predict on flipped / rotated copies of an image, map each prediction
 * back onto the original pixel grid and average them (before any thresholding). Works with any
 * image -> probability function, e.g. `(image) => predictTiled(model, image, tiles)`, so it
 * composes with tiled prediction. Pure typed arrays (browser-safe).
 */
import type { RasterImage } from '../raster.js';

/**
 * One of the 8 symmetries of the square (the dihedral group D4), applied in this order:
 * transpose (swap x and y), then mirror left-right, then mirror top-bottom.
 * Rotations are combinations: 90 degrees clockwise = transpose + flipX, 180 = flipX + flipY.
 */
export interface Dihedral {
  transpose: boolean;
  flipX: boolean;
  flipY: boolean;
}

/** `'flips'`: identity, left-right, top-bottom, both (= 180 degrees). `'d4'`: those and the 4
 * transposed ones (90 / 270 degree rotations and the two diagonal mirrors). `'none'`: identity. */
export type TtaTransforms = 'none' | 'flips' | 'd4';

/** The transforms of a {@link TtaTransforms} set, identity first. */
export function ttaTransforms(set: TtaTransforms): Dihedral[] {
  const flips = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;
  const transposes = set === 'd4' ? [false, true] : [false];
  if (set !== 'none' && set !== 'flips' && set !== 'd4') {
    throw new Error(`transforms must be 'none', 'flips' or 'd4', got ${JSON.stringify(set)}`);
  }
  const all = transposes.flatMap((transpose) =>
    flips.map(([flipX, flipY]) => ({ transpose, flipX, flipY })),
  );
  return set === 'none' ? all.slice(0, 1) : all;
}

/**
 * Where pixel (x, y) of a `width` x `height` image lands after `t`, and the transformed size.
 * The same map serves both directions: gathering the input and scattering the output back.
 */
function mapping(t: Dihedral, width: number, height: number) {
  const outWidth = t.transpose ? height : width;
  const outHeight = t.transpose ? width : height;
  return {
    outWidth,
    outHeight,
    target(x: number, y: number): number {
      let u = t.transpose ? y : x;
      let v = t.transpose ? x : y;
      if (t.flipX) u = outWidth - 1 - u;
      if (t.flipY) v = outHeight - 1 - v;
      return v * outWidth + u;
    },
  };
}

/** The image transformed by `t` (all channels). */
export function transformImage(image: RasterImage, t: Dihedral): RasterImage {
  const { width, height, channels } = image;
  const m = mapping(t, width, height);
  const data = new Float32Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      const to = m.target(x, y) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = image.data[from + c]!;
    }
  }
  return { data, width: m.outWidth, height: m.outHeight, channels };
}

/** Inverse of {@link transformImage}: a prediction on the transformed image, back on the
 * original `width` x `height` grid. */
export function untransformImage(
  image: RasterImage,
  t: Dihedral,
  width: number,
  height: number,
): RasterImage {
  const m = mapping(t, width, height);
  if (image.width !== m.outWidth || image.height !== m.outHeight) {
    throw new Error(
      `the prediction is ${image.width}x${image.height}, expected ${m.outWidth}x${m.outHeight} (the size of the transformed input)`,
    );
  }
  const { channels } = image;
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = m.target(x, y) * channels;
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = image.data[from + c]!;
    }
  }
  return { data, width, height, channels };
}

/** Options of {@link predictWithTta}. */
export interface TtaOptions {
  /** Default `'flips'`. */
  transforms?: TtaTransforms;
}

/**
 * Averages `predict` over the transformed copies of `image`, each prediction mapped back to the
 * original grid. The transforms are run one after the other, so memory stays that of one
 * prediction plus the running sum. 90-degree rotations of a non-square image change its shape:
 * `predict` must accept both orientations (tiled prediction does).
 *
 * @example
 * ```ts
 * const probability = await predictWithTta((img) => predictTiled(model, img), image, { transforms: 'd4' });
 * ```
 */
export async function predictWithTta(
  predict: (image: RasterImage) => RasterImage | Promise<RasterImage>,
  image: RasterImage,
  options: TtaOptions = {},
): Promise<RasterImage> {
  const transforms = ttaTransforms(options.transforms ?? 'flips');
  const { width, height } = image;
  let sum: Float32Array | null = null;
  let channels = 0;
  for (const t of transforms) {
    const output = untransformImage(await predict(transformImage(image, t)), t, width, height);
    if (sum === null) {
      sum = new Float32Array(output.data.length);
      channels = output.channels;
    } else if (output.channels !== channels) {
      throw new Error(`predictions disagree in channels: ${channels} and ${output.channels}`);
    }
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + output.data[i]!;
  }
  const data = sum!;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! / transforms.length;
  return { data, width, height, channels };
}
