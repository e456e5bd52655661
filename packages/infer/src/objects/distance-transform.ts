/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance Transforms of
 * Sampled Functions"): two passes of the 1-D lower envelope of parabolas, linear in the number of
 * pixels. Pure typed arrays, no Node or tfjs, so it runs in a browser.
 */

/** Options of {@link distanceTransform}. */
export interface DistanceTransformOptions {
  /** A pixel is foreground when its value is > threshold. Default 0.5. */
  threshold?: number;
  /**
   * Whether the outside of the image counts as background. Default false, as
   * `scipy.ndimage.distance_transform_edt`: an object cut by the image border is not made
   * thinner there, so its distance maximum stays where the object's centre would be.
   */
  borderIsBackground?: boolean;
}

const BIG = 1e20;

/**
 * Squared 1-D distance transform of `f` (length n, read with `stride` from `offset`) written back
 * in place; `v`, `z` and `d` are scratch buffers of length >= n (+1 for z).
 */
function transform1d(
  f: Float64Array,
  offset: number,
  stride: number,
  n: number,
  v: Int32Array,
  z: Float64Array,
  d: Float64Array,
): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = f[offset + q * stride]!;
    let s = 0;
    for (;;) {
      const p = v[k]!;
      // Intersection of the parabolas rooted at q and p.
      s = (fq + q * q - (f[offset + p * stride]! + p * p)) / (2 * q - 2 * p);
      if (s > z[k]!) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    d[q] = (q - p) * (q - p) + f[offset + p * stride]!;
  }
  for (let q = 0; q < n; q++) f[offset + q * stride] = d[q]!;
}

/**
 * Distance of every foreground pixel to the nearest background pixel centre (0 on background).
 * When the image has no background (and the border does not count as one) every foreground pixel
 * gets `Infinity`.
 *
 * @param mask row-major values, `width * height` of them
 */
export function distanceTransform(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  options: DistanceTransformOptions = {},
): Float32Array {
  if (mask.length !== width * height) {
    throw new Error(`mask has ${mask.length} values, expected width*height = ${width}*${height}`);
  }
  const threshold = options.threshold ?? 0.5;
  // With the border as background, transform a padded grid whose one-pixel frame is background.
  const pad = options.borderIsBackground ? 1 : 0;
  const w = width + 2 * pad;
  const h = height + 2 * pad;
  const f = new Float64Array(w * h);
  let anyBackground = pad === 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ix = x - pad;
      const iy = y - pad;
      const inside = ix >= 0 && iy >= 0 && ix < width && iy < height;
      const foreground = inside && mask[iy * width + ix]! > threshold;
      if (!foreground) anyBackground = true;
      f[y * w + x] = foreground ? BIG : 0;
    }
  }
  const out = new Float32Array(width * height);
  if (!anyBackground) return out.fill(Infinity);
  const n = Math.max(w, h);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const d = new Float64Array(n);
  for (let x = 0; x < w; x++) transform1d(f, x, w, h, v, z, d);
  for (let y = 0; y < h; y++) transform1d(f, y * w, 1, w, v, z, d);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.sqrt(f[(y + pad) * w + x + pad]!);
  }
  return out;
}
