/**
 * Resampling of an image through a per-pixel displacement field, shared by the geometric
 * augmentations that are not pixel permutations (elastic deformation, zoom).
 */
import type { RasterImage } from './image-io.js';

/** Per output pixel, where to sample the input: (x + dx, y + dy). */
export interface Field {
  dx: Float32Array;
  dy: Float32Array;
}

/**
 * Samples `image` at (x + dx, y + dy), edges clamped: `bilinear` for images, `threshold` =
 * bilinear then cut at 0.5 (binary masks), `nearest` for class-index masks.
 */
export function warp(
  image: RasterImage,
  field: Field,
  mode: 'bilinear' | 'threshold' | 'nearest',
): RasterImage {
  const { width, height, channels, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const sx = Math.min(width - 1, Math.max(0, x + field.dx[i]!));
      const sy = Math.min(height - 1, Math.max(0, y + field.dy[i]!));
      const x0 = Math.min(width - 2, Math.floor(sx));
      const y0 = Math.min(height - 2, Math.floor(sy));
      const fx = width > 1 ? sx - Math.max(0, x0) : 0;
      const fy = height > 1 ? sy - Math.max(0, y0) : 0;
      const x1 = Math.min(width - 1, Math.max(0, x0) + 1);
      const y1 = Math.min(height - 1, Math.max(0, y0) + 1);
      const xa = Math.max(0, x0);
      const ya = Math.max(0, y0);
      if (mode === 'nearest') {
        const from = ((fy < 0.5 ? ya : y1) * width + (fx < 0.5 ? xa : x1)) * channels;
        for (let c = 0; c < channels; c++) out[i * channels + c] = data[from + c]!;
        continue;
      }
      for (let c = 0; c < channels; c++) {
        const p = (ya * width + xa) * channels + c;
        const q = (ya * width + x1) * channels + c;
        const r = (y1 * width + xa) * channels + c;
        const s = (y1 * width + x1) * channels + c;
        const v =
          (data[p]! * (1 - fx) + data[q]! * fx) * (1 - fy) +
          (data[r]! * (1 - fx) + data[s]! * fx) * fy;
        out[i * channels + c] = mode === 'threshold' ? (v >= 0.5 ? 1 : 0) : v;
      }
    }
  }
  return { data: out, width, height, channels };
}
