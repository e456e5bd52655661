/** Pixels in row-major HWC order, float32 values in [0, 1]. `data.length === width * height * channels`. */
export interface RasterImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Converts between channel counts: grey -> RGB replicates, RGB(A) -> grey takes the luminance
 * (ITU-R BT.601, as sharp does), RGBA -> RGB drops alpha. Returns the input when it already fits.
 * @throws for other conversions.
 */
export function toChannels(image: RasterImage, channels: number): RasterImage {
  if (image.channels === channels) return image;
  const { width, height, data } = image;
  const pixels = width * height;
  const out = new Float32Array(pixels * channels);
  const src = image.channels;
  if (channels === 3 && src === 1) {
    for (let i = 0; i < pixels; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i]!;
  } else if (channels === 1 && (src === 3 || src === 4)) {
    for (let i = 0; i < pixels; i++) {
      out[i] = 0.299 * data[src * i]! + 0.587 * data[src * i + 1]! + 0.114 * data[src * i + 2]!;
    }
  } else if (channels === 3 && src === 4) {
    for (let i = 0; i < pixels; i++) {
      out[3 * i] = data[4 * i]!;
      out[3 * i + 1] = data[4 * i + 1]!;
      out[3 * i + 2] = data[4 * i + 2]!;
    }
  } else {
    throw new Error(`cannot convert a ${src}-channel image to ${channels} channels`);
  }
  return { data: out, width, height, channels };
}

/** One channel of a raster as a 1-channel raster. */
export function channelOf(image: RasterImage, channel: number): RasterImage {
  if (channel < 0 || channel >= image.channels) {
    throw new Error(`channel ${channel} does not exist in a ${image.channels}-channel output`);
  }
  if (image.channels === 1) return image;
  const pixels = image.width * image.height;
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = image.data[i * image.channels + channel]!;
  return { data: out, width: image.width, height: image.height, channels: 1 };
}

/** A {0, 1} mask: 1 where `value > threshold`. */
export function thresholdRaster(image: RasterImage, threshold: number): RasterImage {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i]! > threshold ? 1 : 0;
  return { ...image, data: out };
}

/** Index reflected into [0, n) (`dcba|abcd|dcba`, edge pixel repeated), for padding. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/**
 * Crop `[x, x+width) x [y, y+height)` of `image`; parts outside the image are filled by
 * reflection, so any window can be taken (tiles at borders, padding to a multiple of 2^depth).
 */
export function cropReflect(
  image: RasterImage,
  x: number,
  y: number,
  width: number,
  height: number,
  out: Float32Array = new Float32Array(width * height * image.channels),
  offset = 0,
): Float32Array {
  const c = image.channels;
  for (let yy = 0; yy < height; yy++) {
    const sy = reflectIndex(y + yy, image.height);
    for (let xx = 0; xx < width; xx++) {
      const sx = reflectIndex(x + xx, image.width);
      const s = (sy * image.width + sx) * c;
      const t = offset + (yy * width + xx) * c;
      for (let k = 0; k < c; k++) out[t + k] = image.data[s + k]!;
    }
  }
  return out;
}
