/**
 * Training targets for instance-aware segmentation, and label images for storing instances.
 * Browser-safe (typed arrays only).
 */

import type { RasterImage } from '../raster.js';

/** Class indices of {@link instanceTargets}. */
export const INSTANCE_CLASSES = { background: 0, interior: 1, boundary: 2 } as const;

/** Options of {@link instanceTargets}. */
export interface InstanceTargetOptions {
  /** Width of the boundary band in pixels (Chebyshev distance). Default 1; must be >= 1. */
  boundaryWidth?: number;
}

/**
 * Three-class target from an instance label map: 0 background, 1 interior, 2 boundary. A pixel of
 * an object is boundary when a pixel with a different label (another object or background) lies
 * within `boundaryWidth` in its (2w+1)x(2w+1) square; pixels outside the image do not count, so an
 * object cut by the image border is not given a boundary along it.
 *
 * Why the square and not a disc: two interiors are then never even corner-adjacent, so the
 * 8-connected components of a predicted interior (the markers of {@link splitInstances}) keep
 * touching objects apart.
 *
 * @param labels instance ids, 0 = background (ids need not be consecutive)
 */
export function instanceTargets(
  labels: ArrayLike<number>,
  width: number,
  height: number,
  options: InstanceTargetOptions = {},
): Uint8Array {
  const w = options.boundaryWidth ?? 1;
  if (!Number.isInteger(w) || w < 1) {
    throw new Error(`boundaryWidth must be an integer >= 1, got ${w}`);
  }
  if (labels.length !== width * height) {
    throw new Error(`labels has ${labels.length} values, expected ${width}*${height}`);
  }
  const target = new Uint8Array(width * height);
  // w is small (1-3) in practice, so the square is scanned directly.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const own = labels[i]!;
      if (own === 0) continue;
      let boundary = false;
      const y0 = Math.max(0, y - w);
      const y1 = Math.min(height - 1, y + w);
      const x0 = Math.max(0, x - w);
      const x1 = Math.min(width - 1, x + w);
      for (let v = y0; v <= y1 && !boundary; v++) {
        for (let u = x0; u <= x1; u++) {
          if (labels[v * width + u] !== own) {
            boundary = true;
            break;
          }
        }
      }
      target[i] = boundary ? INSTANCE_CLASSES.boundary : INSTANCE_CLASSES.interior;
    }
  }
  return target;
}

/**
 * The (foreground, interior, boundary) probabilities of a 3-channel (background, interior,
 * boundary) softmax output of a model trained on {@link instanceTargets}: foreground = 1 -
 * background = interior + boundary. Thresholding channel 0 gives the binary mask of a binary
 * model's probability, and `splitInstances(..., { channels: 3 })` reads channels 1 and 2 as the
 * interior and boundary (its foreground, their sum, is channel 0 again).
 */
export function instanceProbabilities(softmax: RasterImage): RasterImage {
  if (softmax.channels !== 3) {
    throw new Error(
      `an instance model outputs 3 channels (background, interior, boundary), got ${softmax.channels}`,
    );
  }
  const data = new Float32Array(softmax.data.length);
  for (let i = 0; i < data.length; i += 3) {
    const interior = softmax.data[i + 1]!;
    const boundary = softmax.data[i + 2]!;
    data[i] = interior + boundary;
    data[i + 1] = interior;
    data[i + 2] = boundary;
  }
  return { data, width: softmax.width, height: softmax.height, channels: 3 };
}

/** Largest label a label image of each bit depth can hold. */
const MAX_LABEL = { 8: 255, 16: 65535 } as const;

/**
 * Pixel values of an instance label image (e.g. a 16-bit grey PNG, one id per object, 0 =
 * background) at the given bit depth. Ids are renumbered 1..count in raster order, so a sparse id
 * set still fits when the number of objects does.
 *
 * @throws when there are more objects than the bit depth holds (255 for 8-bit, 65535 for 16-bit)
 */
export function labelImagePixels(
  labels: ArrayLike<number>,
  bitDepth: 8 | 16 = 16,
): Uint8Array | Uint16Array {
  if (bitDepth !== 8 && bitDepth !== 16) {
    throw new Error(`bitDepth must be 8 or 16, got ${bitDepth}`);
  }
  const max = MAX_LABEL[bitDepth];
  const ids = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const id = labels[i]!;
    if (id !== 0 && !ids.has(id)) ids.set(id, ids.size + 1);
  }
  if (ids.size > max) {
    throw new Error(
      `${ids.size} objects do not fit in ${bitDepth === 8 ? 'an' : 'a'} ${bitDepth}-bit label image (at most ${max} besides background 0)${bitDepth === 8 ? '; use bitDepth 16' : '; split the image into tiles'}`,
    );
  }
  const out = bitDepth === 8 ? new Uint8Array(labels.length) : new Uint16Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const id = labels[i]!;
    if (id !== 0) out[i] = ids.get(id)!;
  }
  return out;
}
