/**
 * Binary masks as compact bytes (one 0/1 byte per pixel): decoding mask files strictly, combining
 * them, resizing without inventing grey levels, and converting to a float raster.
 */
import sharp from 'sharp';
import { DataFileError, describeError } from './errors.js';
import type { RasterImage } from './image-io.js';
import { readImageHeader } from './image-io.js';

/** One byte per pixel, row-major, values 0 or 1. */
export interface BinaryMask {
  data: Uint8Array;
  width: number;
  height: number;
}

/** How mask files are turned into {0, 1}. */
export interface MaskReadOptions {
  /**
   * Unset (default): the file must be binary, i.e. hold 0 and at most one other value (0/255,
   * 0/1, ...); anything else is an error naming the file. A number in (0, 1]: threshold instead,
   * pixel = 1 where value / maxValue >= threshold (for JPEG or anti-aliased masks).
   */
  maskThreshold?: number;
}

/**
 * The raw samples of a mask file (8 or 16 bits, grey or RGB, alpha kept unless `removeAlpha`),
 * shared by the binary and the class-mask readers.
 * @throws {@link DataFileError} `corrupt-image` naming the file when sharp cannot decode it.
 */
export async function readMaskSamples(
  file: string,
  options: { grey: boolean; sixteenBit: boolean; removeAlpha?: boolean },
): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  const { grey, sixteenBit } = options;
  try {
    // Without an explicit colourspace sharp would expand grey to sRGB (and mangle 16-bit grey).
    const colourspace = grey ? (sixteenBit ? 'grey16' : 'b-w') : sixteenBit ? 'rgb16' : 'srgb';
    let pipeline = sharp(file, { failOn: 'error' });
    if (options.removeAlpha) pipeline = pipeline.removeAlpha();
    return await pipeline
      .toColourspace(colourspace)
      .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new DataFileError(
      file,
      'corrupt-image',
      `cannot decode mask: corrupt, truncated or not an image (${describeError(error)})`,
      { cause: error },
    );
  }
}

/**
 * Decodes a mask file into {0, 1} bytes. Colour masks count a pixel as set when any colour
 * channel is non-zero; a mask whose colour is all black but whose alpha varies is read from its
 * alpha channel (transparent-PNG masks). 16-bit masks keep their precision.
 *
 * @throws {@link DataFileError} naming the file when it is unreadable, or `non-binary-mask` when it
 * holds more than two values and no `maskThreshold` was given.
 */
export async function readBinaryMask(
  file: string,
  options: MaskReadOptions = {},
): Promise<BinaryMask> {
  const header = await readImageHeader(file);
  const sixteenBit = header.bitDepth === 16;
  const raw = await readMaskSamples(file, { grey: header.channels === 1, sixteenBit });
  const { width, height, channels } = raw.info;
  const samples = sixteenBit ? asUint16(raw.data) : raw.data;
  const hasAlpha = channels === 2 || channels === 4;
  const colourChannels = hasAlpha ? channels - 1 : channels;
  const pixels = width * height;
  // Fast path (the usual grey mask): no copy, one pass in binarize.
  let values: ArrayLike<number> =
    channels === 1 ? samples : reduceChannels(samples, pixels, channels, 0, colourChannels);
  if (hasAlpha && isAllZero(values)) {
    const alpha = reduceChannels(samples, pixels, channels, colourChannels, 1);
    if (!isConstant(alpha)) values = alpha;
  }
  const maxValue = sixteenBit ? 65535 : 255;
  const data =
    values instanceof Uint8Array && options.maskThreshold === undefined
      ? binarizeSparseBytes(file, values)
      : binarize(file, values, maxValue, options.maskThreshold);
  return { data, width, height };
}

function asUint16(bytes: Buffer): Uint16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes);
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
}

/** Per pixel, the maximum of `count` channels starting at `first`. */
function reduceChannels(
  samples: ArrayLike<number>,
  pixels: number,
  channels: number,
  first: number,
  count: number,
): Uint16Array {
  const out = new Uint16Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let v = 0;
    const base = i * channels + first;
    for (let c = 0; c < count; c++) v = Math.max(v, samples[base + c]!);
    out[i] = v;
  }
  return out;
}

function isAllZero(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return true;
}

function isConstant(values: Uint16Array): boolean {
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  return true;
}

function binarize(
  file: string,
  values: ArrayLike<number>,
  maxValue: number,
  threshold: number | undefined,
): Uint8Array {
  const out = new Uint8Array(values.length);
  if (threshold !== undefined) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new Error(`maskThreshold must be in (0, 1], got ${threshold}`);
    }
    const cut = threshold * maxValue;
    for (let i = 0; i < values.length; i++) out[i] = values[i]! >= cut ? 1 : 0;
    return out;
  }
  let foreground = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 0) continue;
    if (foreground === 0) foreground = v;
    else if (v !== foreground) {
      const found = describeValues(values);
      throw new DataFileError(
        file,
        'non-binary-mask',
        `mask is not binary: it holds ${found} (expected 0 and one other value such as 255). ` +
          'Save masks losslessly as PNG, or pass maskThreshold (e.g. 0.5) to threshold them.',
      );
    }
    out[i] = 1;
  }
  return out;
}

/**
 * {@link binarize} for 8-bit masks, skipping 4 zero bytes at a time: masks are mostly background,
 * and this is the hot loop when a DSB2018 sample has hundreds of full-size instance masks.
 */
function binarizeSparseBytes(file: string, bytes: Uint8Array): Uint8Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const out = new Uint8Array(aligned.length);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
  let foreground = 0;
  const visit = (i: number) => {
    const v = aligned[i]!;
    if (v === 0) return;
    if (foreground === 0) foreground = v;
    else if (v !== foreground) {
      throw new DataFileError(
        file,
        'non-binary-mask',
        `mask is not binary: it holds ${describeValues(aligned)} (expected 0 and one other value such as 255). ` +
          'Save masks losslessly as PNG, or pass maskThreshold (e.g. 0.5) to threshold them.',
      );
    }
    out[i] = 1;
  };
  for (let w = 0; w < words.length; w++) {
    if (words[w] === 0) continue;
    const i = w << 2;
    visit(i);
    visit(i + 1);
    visit(i + 2);
    visit(i + 3);
  }
  for (let i = words.length << 2; i < aligned.length; i++) visit(i);
  return out;
}

/** Indices of the set pixels (fast on sparse masks). */
export function setPixelIndices(mask: BinaryMask): Int32Array {
  const { data } = mask;
  const aligned = data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
  const found: number[] = [];
  for (let w = 0; w < words.length; w++) {
    if (words[w] === 0) continue;
    for (let i = w << 2, end = i + 4; i < end; i++) if (aligned[i] !== 0) found.push(i);
  }
  for (let i = words.length << 2; i < aligned.length; i++) if (aligned[i] !== 0) found.push(i);
  return Int32Array.from(found);
}

function describeValues(values: ArrayLike<number>): string {
  const seen = new Set<number>();
  for (let i = 0; i < values.length && seen.size < 1000; i++) seen.add(values[i]!);
  const sorted = [...seen].sort((a, b) => a - b);
  const shown = sorted.slice(0, 6).join(', ');
  return `${seen.size >= 1000 ? 'at least 1000' : seen.size} distinct values (${shown}${sorted.length > 6 ? ', ...' : ''})`;
}

/** Pixel-wise OR of `source` into `target` (same size). */
export function unionInto(target: BinaryMask, source: BinaryMask): void {
  const { data } = target;
  const src = source.data;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! | src[i]!;
}

/** Number of set pixels. */
export function countSet(mask: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i]!;
  return n;
}

/**
 * Resizes a binary mask: bilinear (area-averaged when shrinking) and thresholded at 0.5, so edges
 * stay smooth and no grey level is ever produced. Returns the input when the size is unchanged.
 */
export async function resizeBinaryMask(
  mask: BinaryMask,
  width: number,
  height: number,
): Promise<BinaryMask> {
  if (mask.width === width && mask.height === height) return mask;
  const scaled = new Uint8Array(mask.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = mask.data[i]! * 255;
  const resized = await sharp(scaled, {
    raw: { width: mask.width, height: mask.height, channels: 1 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = resized[i]! >= 128 ? 1 : 0;
  return { data: out, width, height };
}

/** The mask as a 1-channel float raster with values exactly 0 and 1. */
export function binaryMaskToRaster(mask: BinaryMask): RasterImage {
  return {
    data: Float32Array.from(mask.data),
    width: mask.width,
    height: mask.height,
    channels: 1,
  };
}
