/**
 * From class probabilities to pictures: the most likely class per pixel, and class indices to
 * RGB(A) pixels for a colour PNG or a canvas. Browser-safe (no Node built-ins, no tfjs), so an
 * app can colour predictions without the training stack.
 */

/** An sRGB colour, channels 0..255. */
export type Colour = readonly [number, number, number];

/**
 * The index of the largest probability per pixel of an HWC array with `numClasses` channels
 * (ties go to the lower index, as `tf.argMax`). One channel is the binary (sigmoid) case of the
 * same path: class 1 where the probability is `> threshold` (default 0.5), else 0.
 */
export function argmaxClasses(
  probabilities: ArrayLike<number>,
  numClasses: number,
  threshold = 0.5,
): Uint8Array {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
    throw new Error(`argmaxClasses: numClasses must be an integer in 1..256, got ${numClasses}`);
  }
  if (probabilities.length % numClasses !== 0) {
    throw new Error(
      `argmaxClasses: ${probabilities.length} values are not a whole number of pixels of ${numClasses} classes`,
    );
  }
  const pixels = probabilities.length / numClasses;
  const out = new Uint8Array(pixels);
  if (numClasses === 1) {
    for (let i = 0; i < pixels; i++) out[i] = probabilities[i]! > threshold ? 1 : 0;
    return out;
  }
  for (let i = 0; i < pixels; i++) {
    const base = i * numClasses;
    let best = 0;
    let bestValue = probabilities[base]!;
    for (let c = 1; c < numClasses; c++) {
      const v = probabilities[base + c]!;
      if (v > bestValue) {
        best = c;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Options of {@link classIndicesToRgb}. */
export interface ClassColourOptions {
  /** Index of unlabelled pixels, drawn in `ignoreColour`. */
  ignoreIndex?: number;
  /** Colour of `ignoreIndex` pixels (default black). */
  ignoreColour?: Colour;
  /** 4 channels, RGBA, alpha 255 (e.g. for `ImageData`); default 3 (RGB, for a PNG encoder). */
  channels?: 3 | 4;
}

/**
 * RGB (or RGBA) bytes of a class-index image: pixel i gets `colours[indices[i]]`.
 * @throws naming the pixel when an index has no colour (and is not the ignore index).
 */
export function classIndicesToRgb(
  indices: ArrayLike<number>,
  colours: readonly Colour[],
  options: ClassColourOptions = {},
): Uint8Array {
  const channels = options.channels ?? 3;
  const ignoreColour = options.ignoreColour ?? [0, 0, 0];
  const out = new Uint8Array(indices.length * channels);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    const colour = index === options.ignoreIndex ? ignoreColour : colours[index];
    if (colour === undefined) {
      throw new Error(
        `classIndicesToRgb: pixel ${i} holds class ${index}, which has no colour (${colours.length} colours given)`,
      );
    }
    const o = i * channels;
    out[o] = colour[0];
    out[o + 1] = colour[1];
    out[o + 2] = colour[2];
    if (channels === 4) out[o + 3] = 255;
  }
  return out;
}

/**
 * `count` distinct colours for classes without colours of their own: the PASCAL VOC colour map
 * (bits of the index spread over R, G, B), so class 0 is black and neighbours differ clearly.
 */
export function defaultClassColours(count: number): Colour[] {
  return Array.from({ length: count }, (_, index): Colour => {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = index;
    for (let bit = 7; bit >= 0 && c > 0; bit--) {
      r |= (c & 1) << bit;
      g |= ((c >> 1) & 1) << bit;
      b |= ((c >> 2) & 1) << bit;
      c >>= 3;
    }
    return [r, g, b];
  });
}
