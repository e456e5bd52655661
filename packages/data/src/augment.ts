/**
 * Augmentation applied identically to an image and its mask: flips, 90-degree rotations and
 * optional elastic deformation and zoom; optional colour jitter changes the image only. Binary masks stay exactly {0, 1}; class-index
 * masks keep their classes (no value is ever interpolated into another class).
 */
import { type ColourOptions, jitterColour } from './colour-jitter.js';
import { isBinary, type RasterImage } from './image-io.js';
import { normal, type Random } from './random.js';
import { type Field, warp } from './warp.js';

/** Elastic deformation settings (a smooth random displacement field). */
export interface ElasticOptions {
  /** Displacement standard deviation in pixels (default: min(width, height) / 64). */
  alpha?: number;
  /** Smoothness: Gaussian sigma of the field in pixels (default: min(width, height) / 16). */
  sigma?: number;
  /** Chance of deforming a given sample (default 0.5). */
  probability?: number;
}

/** Which augmentations to draw from; each is chosen at random per sample. */
export interface AugmentOptions {
  /** Mirror left-right with probability 0.5 (default true). */
  flipHorizontal?: boolean;
  /** Mirror top-bottom with probability 0.5 (default true). */
  flipVertical?: boolean;
  /** Rotate by a random multiple of 90 degrees (default true; non-square images: 0 or 180 only,
   * so batch shapes stay fixed). */
  rotate90?: boolean;
  /** Elastic deformation (default off). `true` = default settings. */
  elastic?: boolean | ElasticOptions;
  /** Random zoom into a crop of the sample (default off). `true` = default settings. */
  zoom?: boolean | ZoomOptions;
  /** Random brightness, contrast and saturation of the image (default off). */
  colour?: boolean | ColourOptions;
}

/** Zoom settings: a random window of 1/scale of each side, resized back to the full size. */
export interface ZoomOptions {
  /** Largest zoom factor; the factor is uniform in [1, maxScale] (default 1.5). */
  maxScale?: number;
  /** Chance of zooming a given sample (default 0.5). */
  probability?: number;
}

/** Image and mask after augmentation. */
export interface AugmentedPair {
  image: RasterImage;
  mask: RasterImage;
}

/**
 * Draws one random transformation and applies it to both `image` and `mask` (same width and
 * height), in this order: flips and rotations (pixels move exactly), elastic deformation and
 * zoom (the image sampled bilinearly, the mask bilinearly thresholded at 0.5 when it is binary,
 * else, class indices, by nearest neighbour, so a pixel between class 1 and class 3 never
 * becomes class 2), colour jitter (image only). Options left off draw no random numbers, so
 * adding one never changes what the others draw for recipes without it.
 *
 * @example
 * ```ts
 * const { image, mask } = augmentPair(sample.image, sample.mask!, createRandom(1), { elastic: true });
 * ```
 */
export function augmentPair(
  image: RasterImage,
  mask: RasterImage,
  random: Random,
  options: AugmentOptions = {},
): AugmentedPair {
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new Error(
      `augmentPair: image is ${image.width}x${image.height} but mask is ${mask.width}x${mask.height}`,
    );
  }
  const flipH = (options.flipHorizontal ?? true) && random() < 0.5;
  const flipV = (options.flipVertical ?? true) && random() < 0.5;
  const square = image.width === image.height;
  const quarterTurns =
    (options.rotate90 ?? true)
      ? square
        ? Math.floor(random() * 4)
        : 2 * Math.floor(random() * 2)
      : 0;
  let outImage = image;
  let outMask = mask;
  if (flipH || flipV || quarterTurns !== 0) {
    const map = pixelMap(image.width, image.height, flipH, flipV, quarterTurns);
    outImage = remap(image, map);
    outMask = remap(mask, map);
  }
  if (options.elastic) {
    const elastic = options.elastic === true ? {} : options.elastic;
    if (random() < (elastic.probability ?? 0.5)) {
      const field = displacementField(outImage.width, outImage.height, random, elastic);
      outImage = warp(outImage, field, 'bilinear');
      outMask = warp(outMask, field, isBinary(outMask.data) ? 'threshold' : 'nearest');
    }
  }
  if (options.zoom) {
    const zoom = options.zoom === true ? {} : options.zoom;
    if (random() < (zoom.probability ?? 0.5)) {
      const field = zoomField(outImage.width, outImage.height, random, zoom.maxScale ?? 1.5);
      outImage = warp(outImage, field, 'bilinear');
      outMask = warp(outMask, field, isBinary(outMask.data) ? 'threshold' : 'nearest');
    }
  }
  if (options.colour) {
    const colour = options.colour === true ? {} : options.colour;
    if (random() < (colour.probability ?? 0.8)) outImage = jitterColour(outImage, random, colour);
  }
  return { image: outImage, mask: outMask };
}

/**
 * For each output pixel, the input pixel it comes from: flips first, then `quarterTurns`
 * counter-clockwise quarter turns. Odd turns swap width and height.
 */
function pixelMap(
  width: number,
  height: number,
  flipH: boolean,
  flipV: boolean,
  quarterTurns: number,
) {
  const odd = quarterTurns % 2 === 1;
  const outWidth = odd ? height : width;
  const outHeight = odd ? width : height;
  const source = new Int32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      // undo the rotation: output (x, y) -> flipped-image coordinates (u, v)
      let u: number;
      let v: number;
      switch (quarterTurns) {
        case 1:
          u = width - 1 - y;
          v = x;
          break;
        case 2:
          u = width - 1 - x;
          v = height - 1 - y;
          break;
        case 3:
          u = y;
          v = height - 1 - x;
          break;
        default:
          u = x;
          v = y;
      }
      if (flipH) u = width - 1 - u;
      if (flipV) v = height - 1 - v;
      source[y * outWidth + x] = v * width + u;
    }
  }
  return { source, width: outWidth, height: outHeight };
}

function remap(
  image: RasterImage,
  map: { source: Int32Array; width: number; height: number },
): RasterImage {
  const { channels, data } = image;
  const out = new Float32Array(map.source.length * channels);
  for (let i = 0; i < map.source.length; i++) {
    const from = map.source[i]! * channels;
    const to = i * channels;
    for (let c = 0; c < channels; c++) out[to + c] = data[from + c]!;
  }
  return { data: out, width: map.width, height: map.height, channels };
}

/**
 * Zoom as a displacement field: output pixel centres map linearly onto a window of
 * (width / scale) x (height / scale) at a random place, so the image keeps its size and aspect.
 */
function zoomField(width: number, height: number, random: Random, maxScale: number): Field {
  if (!(maxScale >= 1)) throw new Error(`zoom: maxScale must be >= 1, got ${maxScale}`);
  const scale = 1 + random() * (maxScale - 1);
  const left = random() * (width - width / scale);
  const top = random() * (height - height / scale);
  const dx = new Float32Array(width * height);
  const dy = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = top + (y + 0.5) / scale - 0.5;
    for (let x = 0; x < width; x++) {
      dx[y * width + x] = left + (x + 0.5) / scale - 0.5 - x;
      dy[y * width + x] = sy - y;
    }
  }
  return { dx, dy };
}

/** Smooth random displacements: Gaussian noise on a coarse grid, blurred, scaled, upsampled. */
function displacementField(
  width: number,
  height: number,
  random: Random,
  options: ElasticOptions,
): Field {
  const side = Math.min(width, height);
  const sigma = options.sigma ?? side / 16;
  const alpha = options.alpha ?? side / 64;
  const step = Math.max(1, Math.floor(sigma / 4));
  const gw = Math.ceil(width / step) + 1;
  const gh = Math.ceil(height / step) + 1;
  const coarse = (): Float32Array => {
    const noise = new Float32Array(gw * gh);
    for (let i = 0; i < noise.length; i++) noise[i] = normal(random);
    const blurred = gaussianBlur(noise, gw, gh, sigma / step);
    let sumSquares = 0;
    for (let i = 0; i < blurred.length; i++) sumSquares += blurred[i]! * blurred[i]!;
    const scale = alpha / Math.sqrt(sumSquares / blurred.length || 1);
    for (let i = 0; i < blurred.length; i++) blurred[i]! *= scale;
    return upsample(blurred, gw, gh, step, width, height);
  };
  return { dx: coarse(), dy: coarse() };
}

function gaussianBlur(
  values: Float32Array,
  width: number,
  height: number,
  sigma: number,
): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp((-i * i) / (2 * sigma * sigma));
    kernel[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const pass = (input: Float32Array, horizontal: boolean): Float32Array => {
    const output = new Float32Array(input.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const sx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
          const sy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
          acc += kernel[k + radius]! * input[sy * width + sx]!;
        }
        output[y * width + x] = acc;
      }
    }
    return output;
  };
  return pass(pass(values, true), false);
}

function upsample(
  grid: Float32Array,
  gw: number,
  gh: number,
  step: number,
  width: number,
  height: number,
) {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / step;
    const y0 = Math.min(gh - 2, Math.floor(gy));
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / step;
      const x0 = Math.min(gw - 2, Math.floor(gx));
      const fx = gx - x0;
      const a = grid[y0 * gw + x0]!;
      const b = grid[y0 * gw + x0 + 1]!;
      const c = grid[(y0 + 1) * gw + x0]!;
      const d = grid[(y0 + 1) * gw + x0 + 1]!;
      out[y * width + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
  return out;
}
