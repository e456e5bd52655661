/**
 * Image and mask I/O with `sharp`: decode any image sharp reads (PNG, TIFF, JPEG, ...) into a
 * float HWC raster in [0, 1], write 8-bit PNGs, and resize images and masks.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type RasterImage, resizeNearest } from '@unet/infer';
import sharp from 'sharp';
import { DataFileError, describeError } from './errors.js';

// One raster type and one nearest-neighbour resize for the toolkit, from the browser-safe package.
export type { RasterImage };
export { resizeNearest };

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /**
   * Channels of the result: 1 (grey, luminance of colour input) or 3 (RGB, grey input
   * replicated). Default: the file's colour channels (1 or 3). Alpha is always dropped.
   */
  channels?: 1 | 3;
}

/** Target size for {@link decodeImageResized}. */
export interface ResizeTarget {
  width: number;
  height: number;
  kind: ResizeKind;
}

/**
 * How to resample: `'image'` = bilinear with area averaging when shrinking (no ringing, stays in
 * [0, 1]); `'mask'` = never invents values: a binary {0, 1} mask is resampled bilinearly and
 * thresholded at 0.5 (smooth edges, no aliasing), any other mask (e.g. labels) uses nearest
 * neighbour.
 */
export type ResizeKind = 'image' | 'mask';

/** Header facts read without decoding pixels. */
export interface ImageHeader {
  width: number;
  height: number;
  /** Colour channels without alpha (1 or 3, 4 for CMYK). */
  channels: number;
  /** Bits per sample: 8 or 16. */
  bitDepth: 8 | 16;
}

/** Sharp input options: abort on truncated or corrupt pixel data instead of returning garbage. */
const SHARP_INPUT: sharp.SharpOptions = { failOn: 'error' };

const UCHAR_TO_UNIT = buildLookup(255);
let ushortToUnit: Float32Array | undefined;

function buildLookup(max: number): Float32Array {
  const lookup = new Float32Array(max + 1);
  for (let v = 0; v <= max; v++) lookup[v] = v / max;
  return lookup;
}

function toReadError(file: string, error: unknown): DataFileError {
  if (error instanceof DataFileError) return error;
  const message = describeError(error);
  if (/missing|ENOENT|no such file/i.test(message)) {
    return new DataFileError(file, 'missing-file', `file not found (${message})`, { cause: error });
  }
  return new DataFileError(
    file,
    'corrupt-image',
    `cannot decode image: corrupt, truncated or not an image (${message})`,
    { cause: error },
  );
}

/**
 * Reads width, height, channels and bit depth from the file header (no pixel decoding).
 * @throws {@link DataFileError} naming the file if it is missing or not an image.
 */
export async function readImageHeader(file: string): Promise<ImageHeader> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(file, SHARP_INPUT).metadata();
  } catch (error) {
    throw toReadError(file, error);
  }
  const { width, height, channels, depth } = meta;
  if (!width || !height || !channels) {
    throw new DataFileError(file, 'corrupt-image', 'image header has no size or channel count');
  }
  if (depth !== 'uchar' && depth !== 'ushort') {
    throw new DataFileError(
      file,
      'unsupported',
      `unsupported sample format "${depth}": only 8-bit and 16-bit unsigned images are read`,
    );
  }
  return {
    width,
    height,
    channels: channels - (meta.hasAlpha ? 1 : 0),
    bitDepth: depth === 'ushort' ? 16 : 8,
  };
}

/**
 * Decodes an image file into a float raster in [0, 1] (8-bit divided by 255, 16-bit by 65535).
 * RGBA becomes RGB (alpha dropped, not composited), grey+alpha becomes grey.
 *
 * @example
 * ```ts
 * const image = await decodeImage('cells.png', { channels: 3 }); // { data, width, height, channels: 3 }
 * ```
 * @throws {@link DataFileError} naming the file when it is missing, corrupt or truncated.
 */
export async function decodeImage(
  file: string,
  options: DecodeImageOptions = {},
): Promise<RasterImage> {
  return decodeImageResized(file, options);
}

/**
 * Like {@link decodeImage}, optionally resizing inside the same sharp pipeline (faster than
 * decode then {@link resizeImage}, and the work runs on libuv threads). Masks that must be checked
 * for binarity at full size should be decoded first and resized with {@link resizeImage}.
 */
export async function decodeImageResized(
  file: string,
  options: DecodeImageOptions = {},
  resize?: ResizeTarget,
): Promise<RasterImage> {
  const header = await readImageHeader(file);
  const sixteenBit = header.bitDepth === 16;
  const channels = options.channels ?? (header.channels >= 3 ? 3 : 1);
  let pipeline = sharp(file, SHARP_INPUT).removeAlpha();
  if (resize) {
    pipeline = pipeline.resize(resize.width, resize.height, {
      fit: 'fill',
      kernel: resize.kind === 'image' ? 'linear' : 'nearest',
    });
  }
  pipeline = pipeline.toColourspace(colourspaceFor(channels, sixteenBit));
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await pipeline
      .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw toReadError(file, error);
  }
  const { info } = raw;
  if (info.channels !== channels) {
    throw new DataFileError(
      file,
      'unsupported',
      `decoded to ${info.channels} channels, expected ${channels}`,
    );
  }
  return {
    data: samplesToUnit(raw.data, sixteenBit),
    width: info.width,
    height: info.height,
    channels,
  };
}

function colourspaceFor(channels: number, sixteenBit: boolean): string {
  if (channels === 1) return sixteenBit ? 'grey16' : 'b-w';
  return sixteenBit ? 'rgb16' : 'srgb';
}

function samplesToUnit(bytes: Buffer, sixteenBit: boolean): Float32Array {
  if (!sixteenBit) {
    const out = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = UCHAR_TO_UNIT[bytes[i]!]!;
    return out;
  }
  ushortToUnit ??= buildLookup(65535);
  const lookup = ushortToUnit;
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes);
  const samples = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = lookup[samples[i]!]!;
  return out;
}

/** Throws unless `data.length === width * height * channels` and the sizes are positive integers. */
export function assertRasterShape(image: RasterImage, what = 'image'): void {
  const { width, height, channels, data } = image;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
    ['channels', channels],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`${what}: ${name} must be a positive integer, got ${value}`);
    }
  }
  if (data.length !== width * height * channels) {
    throw new Error(
      `${what}: data has ${data.length} values, expected width*height*channels = ${width}*${height}*${channels}`,
    );
  }
}

/**
 * Writes a float raster in [0, 1] (values clamped, rounded to 8 bits) as a PNG with 1 (grey),
 * 3 (RGB) or 4 (RGBA) channels. Creates missing parent folders.
 */
export async function encodePng(file: string, image: RasterImage): Promise<void> {
  assertRasterShape(image, file);
  const { width, height, channels, data } = image;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`${file}: cannot write a ${channels}-channel PNG; use 1, 3 or 4 channels`);
  }
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    bytes[i] = v > 0 ? (v >= 1 ? 255 : Math.round(v * 255)) : 0; // NaN -> 0
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await sharp(bytes, { raw: { width, height, channels: channels as 1 | 3 | 4 } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toFile(file);
}

/**
 * Resizes a raster to `width` x `height` (aspect ratio not kept). See {@link ResizeKind} for the
 * resampling used. Returns the input itself when it already has that size.
 */
export async function resizeImage(
  image: RasterImage,
  width: number,
  height: number,
  kind: ResizeKind,
): Promise<RasterImage> {
  assertRasterShape(image);
  assertRasterShape({ data: new Float32Array(width * height), width, height, channels: 1 }, 'size');
  if (image.width === width && image.height === height) return image;
  if (kind === 'mask') {
    return isBinary(image.data)
      ? thresholdedBilinear(image, width, height)
      : resizeNearest(image, width, height);
  }
  return resizeBilinear(image, width, height);
}

/** True when every value is exactly 0 or 1. */
export function isBinary(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== 0 && v !== 1) return false;
  }
  return true;
}

async function resizeBilinear(
  image: RasterImage,
  width: number,
  height: number,
): Promise<RasterImage> {
  const { channels } = image;
  if (channels === 1 || channels === 3) {
    return { data: await resizePlanes(image, width, height), width, height, channels };
  }
  // Other channel counts: resample each channel as its own grey plane.
  const out = new Float32Array(width * height * channels);
  const pixels = image.width * image.height;
  for (let c = 0; c < channels; c++) {
    const plane = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) plane[i] = image.data[i * channels + c]!;
    const resized = await resizePlanes(
      { data: plane, width: image.width, height: image.height, channels: 1 },
      width,
      height,
    );
    for (let i = 0; i < resized.length; i++) out[i * channels + c] = resized[i]!;
  }
  return { data: out, width, height, channels };
}

/** Bilinear/area resampling of a 1- or 3-channel raster through sharp at 16-bit precision. */
async function resizePlanes(image: RasterImage, width: number, height: number) {
  const { data, channels } = image;
  const samples = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    samples[i] = v > 0 ? (v >= 1 ? 65535 : Math.round(v * 65535)) : 0;
  }
  const raw = { width: image.width, height: image.height, channels: channels as 1 | 3 };
  const out = await sharp(samples, { raw })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .toColourspace(channels === 1 ? 'grey16' : 'rgb16')
    .raw({ depth: 'ushort' })
    .toBuffer();
  return samplesToUnit(out, true);
}

async function thresholdedBilinear(
  image: RasterImage,
  width: number,
  height: number,
): Promise<RasterImage> {
  const resized = await resizeBilinear(image, width, height);
  const { data } = resized;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! >= 0.5 ? 1 : 0;
  return resized;
}

/**
 * Writes a 16-bit grey PNG, e.g. an instance label image (one id per object, 0 = background;
 * `labelImagePixels(labels, 16)` of @unet/infer gives the pixels). Values are written as they are.
 */
export async function encodePng16(
  file: string,
  pixels: Uint16Array,
  width: number,
  height: number,
): Promise<void> {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`${file}: cannot write a ${width}x${height} image`);
  }
  if (pixels.length !== width * height) {
    throw new Error(
      `${file}: ${pixels.length} pixels for a ${width}x${height} 16-bit image (expected ${width * height})`,
    );
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  // sharp takes the raw sample format from the typed array (a Uint16Array is 'ushort').
  await sharp(pixels, { raw: { width, height, channels: 1 } })
    .toColourspace('grey16')
    .png()
    .toFile(file);
}
