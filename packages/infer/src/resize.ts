import type { RasterImage } from './raster.js';

// Resampling in plain TypeScript, so prediction resizes the same way in Node and in a browser.

/** Sample positions and weights of one output coordinate along one axis. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

/**
 * Triangle-filter taps from `inSize` to `outSize` samples (pixel centres aligned). When shrinking,
 * the triangle widens with the scale so every input pixel contributes (area-like averaging, as
 * libvips' linear kernel does); when enlarging it is plain bilinear interpolation.
 */
function triangleTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const first = Math.max(0, Math.ceil(centre - support));
    const last = Math.min(inSize - 1, Math.floor(centre + support));
    let sum = 0;
    let n = 0;
    for (let i = first; i <= last && n < stride; i++, n++) {
      const w = Math.max(0, 1 - Math.abs(i - centre) / support);
      weights[o * stride + n] = w;
      sum += w;
    }
    if (sum === 0) {
      // Outside the image (tiny inputs): take the nearest edge pixel.
      start[o] = Math.min(inSize - 1, Math.max(0, Math.round(centre)));
      weights[o * stride] = 1;
      count[o] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) weights[o * stride + k]! /= sum;
    start[o] = first;
    count[o] = n;
  }
  return { start, count, weights, stride };
}

/**
 * Bilinear resize of a float raster (any channel count), with area averaging when shrinking (no
 * aliasing, values stay within the input's range). Returns the input when the size already fits.
 */
export function resizeBilinear(image: RasterImage, width: number, height: number): RasterImage {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new Error(`resize: the target size must be positive integers, got ${width}x${height}`);
  }
  if (image.width === width && image.height === height) return image;
  const c = image.channels;
  const xs = triangleTaps(image.width, width);
  const ys = triangleTaps(image.height, height);
  // Horizontal pass into [image.height, width], then vertical into [height, width].
  const rows = new Float32Array(image.height * width * c);
  for (let y = 0; y < image.height; y++) {
    const rowIn = y * image.width;
    for (let x = 0; x < width; x++) {
      const dst = (y * width + x) * c;
      for (let k = 0; k < xs.count[x]!; k++) {
        const w = xs.weights[x * xs.stride + k]!;
        const src = (rowIn + xs.start[x]! + k) * c;
        for (let ch = 0; ch < c; ch++) rows[dst + ch]! += w * image.data[src + ch]!;
      }
    }
  }
  const out = new Float32Array(height * width * c);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < ys.count[y]!; k++) {
      const w = ys.weights[y * ys.stride + k]!;
      const rowIn = (ys.start[y]! + k) * width * c;
      const rowOut = y * width * c;
      for (let i = 0; i < width * c; i++) out[rowOut + i]! += w * rows[rowIn + i]!;
    }
  }
  return { data: out, width, height, channels: c };
}

/** Nearest-neighbour resize (pixel centres), for label maps and any non-binary mask. */
export function resizeNearest<T extends Float32Array | Int32Array | Uint8Array | Uint16Array>(
  image: { data: T; width: number; height: number; channels: number },
  width: number,
  height: number,
): { data: T; width: number; height: number; channels: number } {
  const { data, channels } = image;
  const out = new (data.constructor as new (n: number) => T)(width * height * channels);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    xs[x] = Math.min(image.width - 1, Math.floor(((x + 0.5) * image.width) / width));
  }
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.floor(((y + 0.5) * image.height) / height));
    const rowIn = sy * image.width;
    const rowOut = y * width;
    for (let x = 0; x < width; x++) {
      const src = (rowIn + xs[x]!) * channels;
      const dst = (rowOut + x) * channels;
      for (let c = 0; c < channels; c++) out[dst + c] = data[src + c]!;
    }
  }
  return { data: out, width, height, channels };
}
