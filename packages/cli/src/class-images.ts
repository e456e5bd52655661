/**
 * Pictures and raw files of multi-class results: class probabilities of one image (resized to
 * the model and back, or tiled with the class probabilities blended), the confusion matrix as a
 * PNG with class names, colour/overlay PNGs with a legend, and float32 `.npy` probabilities.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import * as tfjs from '@tensorflow/tfjs';
import { escapeSvgText, overlaySvg, type RasterImage } from '@unet/data';
import {
  type Colour,
  type ConfusionMatrix,
  cropReflect,
  fixedInputSize,
  predictTiled,
  resizeBilinear,
  toChannels,
} from '@unet/infer';

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

async function runModel(model: tf.LayersModel, image: RasterImage): Promise<RasterImage> {
  const output = tfjs.tidy(() => {
    const result = model.predict(
      tfjs.tensor4d(image.data, [1, image.height, image.width, image.channels]),
    );
    return Array.isArray(result) ? result[0]! : result;
  });
  const [, height, width, channels] = output.shape;
  const data = (await output.data()) as Float32Array;
  output.dispose();
  if (height === undefined || width === undefined || channels === undefined)
    throw new Error(`the model output must be NHWC, got [${output.shape}]`);
  return { data, width, height, channels };
}

/**
 * The K class probabilities of `image` at its own size (HWC, K channels): the image resized to
 * the model's input and the probabilities resized back (bilinear), or with `tile` the image run
 * in overlapping tiles at full resolution, the tiles' probabilities blended.
 */
export async function classProbabilities(
  model: tf.LayersModel,
  image: RasterImage,
  tile = false,
): Promise<RasterImage> {
  const fixed = fixedInputSize(model);
  const input = toChannels(image, fixed.channels);
  if (tile) return predictTiled(model, input);
  if (fixed.height === null || fixed.width === null) {
    const width = Math.ceil(input.width / 32) * 32;
    const height = Math.ceil(input.height / 32) * 32;
    const padded = {
      data: cropReflect(input, 0, 0, width, height),
      width,
      height,
      channels: input.channels,
    };
    const out = await runModel(model, padded);
    return {
      data: cropReflect(out, 0, 0, image.width, image.height),
      width: image.width,
      height: image.height,
      channels: out.channels,
    };
  }
  const out = await runModel(model, resizeBilinear(input, fixed.width, fixed.height));
  return resizeBilinear(out, image.width, image.height);
}

/** A class-index image as 8-bit grey values in [0, 1] (value / 255), for `encodePng`. */
export function indexRaster(indices: Uint8Array, width: number, height: number): RasterImage {
  const data = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) data[i] = indices[i]! / 255;
  return { data, width, height, channels: 1 };
}

/** RGB bytes to a float raster in [0, 1]. */
export function rgbRaster(bytes: Uint8Array, width: number, height: number): RasterImage {
  const data = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = bytes[i]! / 255;
  return { data, width, height, channels: 3 };
}

/**
 * The image blended with the class colours (`alpha` of colour), with a legend of the classes
 * present (a colour box and the name each) in the top-left corner.
 */
export async function classOverlay(
  image: RasterImage,
  colour: RasterImage,
  indices: Uint8Array,
  names: readonly string[],
  colours: readonly Colour[],
  alpha = 0.5,
): Promise<RasterImage> {
  const rgb = toChannels(image, 3);
  const data = new Float32Array(rgb.data.length);
  for (let i = 0; i < data.length; i++)
    data[i] = (1 - alpha) * rgb.data[i]! + alpha * colour.data[i]!;
  const present = new Set(indices);
  const size = Math.max(9, Math.min(14, Math.round(image.height / 24)));
  const rows = names
    .map((name, c) => ({ name, c }))
    .filter(({ c }) => present.has(c))
    .map(({ name, c }, row) => {
      const y = 4 + row * (size + 4);
      const [r, g, b] = colours[c]!;
      return (
        `<rect x="4" y="${y}" width="${size}" height="${size}" fill="rgb(${r},${g},${b})" stroke="white"/>` +
        `<text x="${8 + size}" y="${y + size - 2}" font-family="${FONT}" font-size="${size}" fill="white" stroke="black" stroke-width="0.4">${escapeSvgText(name)}</text>`
      );
    });
  const longest = Math.max(0, ...names.filter((_, c) => present.has(c)).map((n) => n.length));
  const panel =
    rows.length > 0
      ? `<rect x="0" y="0" width="${12 + size + longest * size * 0.62}" height="${6 + rows.length * (size + 4)}" fill="black" fill-opacity="0.45"/>`
      : '';
  return overlaySvg({ ...rgb, data }, panel + rows.join(''));
}

/**
 * The confusion matrix as a picture: rows the true classes, columns the predicted ones, each
 * cell shaded by its share of the row (the recall of the diagonal), printed in percent, with the
 * class names on both axes.
 */
export async function renderConfusion(
  matrix: ConfusionMatrix,
  names: readonly string[],
): Promise<RasterImage> {
  const k = matrix.numClasses;
  const cell = 44;
  const longest = Math.max(...names.map((n) => n.length));
  const margin = Math.min(200, 20 + longest * 7);
  const width = margin + k * cell + 10;
  const height = margin + k * cell + 30;
  const parts: string[] = [];
  for (let t = 0; t < k; t++) {
    let rowSum = 0;
    for (let p = 0; p < k; p++) rowSum += matrix.count(t, p);
    for (let p = 0; p < k; p++) {
      const share = rowSum > 0 ? matrix.count(t, p) / rowSum : 0;
      const shade = Math.round(255 * (1 - share));
      const x = margin + p * cell;
      const y = margin + t * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#999"/>`,
      );
      if (rowSum > 0) {
        parts.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-family="${FONT}" font-size="11" text-anchor="middle" fill="${share > 0.5 ? 'white' : 'black'}">${(100 * share).toFixed(0)}</text>`,
        );
      }
    }
    const label = escapeSvgText(names[t] ?? String(t));
    parts.push(
      `<text x="${margin - 6}" y="${margin + t * cell + cell / 2 + 4}" font-family="${FONT}" font-size="12" text-anchor="end">${label}</text>`,
      `<text transform="translate(${margin + t * cell + cell / 2 + 4},${margin - 6}) rotate(-90)" font-family="${FONT}" font-size="12">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${margin + (k * cell) / 2}" y="${height - 10}" font-family="${FONT}" font-size="12" text-anchor="middle">rows: true class; columns: predicted; % of the row</text>`,
  );
  const white = new Float32Array(width * height * 3).fill(1);
  return overlaySvg({ data: white, width, height, channels: 3 }, parts.join(''));
}

/**
 * Writes an HWC float32 raster as a NumPy `.npy` file (version 1.0, little-endian `<f4`, shape
 * `(height, width, channels)`): `numpy.load(file)` reads it back.
 */
export async function writeNpy(file: string, image: RasterImage): Promise<void> {
  const shape = `(${image.height}, ${image.width}, ${image.channels})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64);
  header += '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(image.data.length * 4);
  for (let i = 0; i < image.data.length; i++) body.writeFloatLE(image.data[i]!, i * 4);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}
