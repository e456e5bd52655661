/**
 * Multi-class masks: one class index per pixel, read either from a single-channel PNG holding the
 * index itself (CamVid's `trainannot/*.png`) or from a colour-coded PNG mapped through the class
 * palette. Every value must be a class or the declared ignore value, so a mislabelled file fails
 * loudly instead of training on a class that does not exist.
 */
import { readMaskSamples } from './binary-mask.js';
import type { ClassList, Rgb } from './class-list.js';
import { DataFileError } from './errors.js';
import type { RasterImage } from './image-io.js';
import { readImageHeader, resizeNearest } from './image-io.js';

/** Class indices, one byte per pixel, row-major; ignored pixels hold the list's `ignoreIndex`. */
export interface ClassMask {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * How mask files encode classes: `'index'` = one channel whose value is the class index;
 * `'palette'` = RGB colours of the class list; `'auto'` (default) = by the file's channels.
 */
export type ClassMaskFormat = 'index' | 'palette' | 'auto';

/**
 * Reads a class mask file, checking every pixel against `classes`.
 *
 * @example
 * ```ts
 * const mask = await readClassMask('trainannot/0001TP_006690.png', CAMVID_CLASSES);
 * ```
 * @throws {@link DataFileError} naming the file: `unknown-class-value` (with the value, or colour,
 * and a pixel holding it) when a pixel is neither a class nor the ignore value; `unsupported`
 * when the format does not fit the file; `corrupt-image` when it cannot be decoded.
 */
export async function readClassMask(
  file: string,
  classes: ClassList,
  format: ClassMaskFormat = 'auto',
): Promise<ClassMask> {
  const header = await readImageHeader(file);
  const resolved = format === 'auto' ? (header.channels === 1 ? 'index' : 'palette') : format;
  if (resolved === 'index' && header.channels !== 1) {
    throw new DataFileError(
      file,
      'unsupported',
      `an index mask has one channel (the class index), this file has ${header.channels} colour ` +
        'channels; read colour-coded masks with the "palette" format',
    );
  }
  if (resolved === 'palette' && !classes.classes.every((info) => info.color)) {
    throw new DataFileError(
      file,
      'unsupported',
      `a colour-coded mask needs a colour for every class in the class list (this file has ` +
        `${header.channels} colour channels; an index mask must be saved with one channel)`,
    );
  }
  const sixteenBit = header.bitDepth === 16;
  const raw = await readMaskSamples(file, {
    grey: resolved === 'index',
    sixteenBit,
    removeAlpha: true,
  });
  const { width, height } = raw.info;
  const samples = sixteenBit ? asUint16(raw.data) : raw.data;
  const data =
    resolved === 'index'
      ? checkIndices(file, samples, width, classes)
      : mapPalette(file, samples, width, sixteenBit, classes);
  return { data, width, height };
}

/**
 * Checks raw index values against the class list and returns them as bytes. Throws on the first
 * pixel that is neither a class nor the ignore value, naming the value and where it is.
 */
export function checkIndices(
  file: string,
  values: ArrayLike<number>,
  width: number,
  classes: ClassList,
): Uint8Array {
  const allowed = allowedValues(classes);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 255 || allowed[v] === 0) {
      throw unknownValue(file, `value ${v}`, i, width, values, classes);
    }
    out[i] = v;
  }
  return out;
}

function mapPalette(
  file: string,
  samples: ArrayLike<number>,
  width: number,
  sixteenBit: boolean,
  classes: ClassList,
): Uint8Array {
  const lookup = new Map<number, number>();
  classes.classes.forEach((info, index) => {
    lookup.set(packRgb(info.color!), index);
  });
  if (classes.ignoreColor && classes.ignoreIndex !== undefined) {
    lookup.set(packRgb(classes.ignoreColor), classes.ignoreIndex);
  }
  // 16-bit colour masks are exact multiples of 257 when saved from 8-bit colours.
  const scale = sixteenBit ? 257 : 1;
  const pixels = samples.length / 3;
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const r = samples[3 * i]!;
    const g = samples[3 * i + 1]!;
    const b = samples[3 * i + 2]!;
    const index =
      r % scale === 0 && g % scale === 0 && b % scale === 0
        ? lookup.get(packRgb([r / scale, g / scale, b / scale]))
        : undefined;
    if (index === undefined) {
      throw unknownValue(file, `colour [${r}, ${g}, ${b}]`, i, width, undefined, classes);
    }
    out[i] = index;
  }
  return out;
}

function allowedValues(classes: ClassList): Uint8Array {
  const allowed = new Uint8Array(256);
  allowed.fill(1, 0, classes.classes.length);
  if (classes.ignoreIndex !== undefined) allowed[classes.ignoreIndex] = 1;
  return allowed;
}

function unknownValue(
  file: string,
  what: string,
  pixel: number,
  width: number,
  values: ArrayLike<number> | undefined,
  classes: ClassList,
): DataFileError {
  const x = pixel % width;
  const y = Math.floor(pixel / width);
  const ignore =
    classes.ignoreIndex === undefined
      ? 'no ignore value is declared (set "ignoreIndex" in the class list for unlabelled pixels)'
      : `the ignore value is ${classes.ignoreIndex}`;
  const known = values ? ` (${countOf(values, values[pixel]!)} such pixels)` : '';
  return new DataFileError(
    file,
    'unknown-class-value',
    `pixel (${x}, ${y}) holds ${what}${known}, which is not a class: the ${classes.classes.length} ` +
      `classes are 0..${classes.classes.length - 1} and ${ignore}`,
  );
}

function countOf(values: ArrayLike<number>, value: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === value) n++;
  return n;
}

function packRgb(color: Rgb | readonly number[]): number {
  return (color[0]! << 16) | (color[1]! << 8) | color[2]!;
}

function asUint16(bytes: Buffer): Uint16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes);
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
}

/**
 * Resizes a class mask by nearest neighbour (pixel centres): class indices must never be
 * averaged into another class. Returns the input when the size is unchanged.
 */
export function resizeClassMask(mask: ClassMask, width: number, height: number): ClassMask {
  if (mask.width === width && mask.height === height) return mask;
  const { data } = resizeNearest({ ...mask, channels: 1 }, width, height);
  return { data, width, height };
}

/** The mask as the 1-channel float raster samples carry (values are the class indices). */
export function classMaskToRaster(mask: ClassMask): RasterImage {
  return {
    data: Float32Array.from(mask.data),
    width: mask.width,
    height: mask.height,
    channels: 1,
  };
}
