/**
 * Text and vector graphics over a raster, through sharp's SVG renderer (librsvg, with the system's
 * fonts), so plots and overlays carry real type instead of a bitmap font.
 */
import type { RasterImage } from '@unet/infer';
import sharp from 'sharp';
import { assertRasterShape } from './image-io.js';

/** `&`, `<`, `>` and quotes escaped, for text inside an SVG document. */
export function escapeSvgText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Draws `svgBody` (SVG elements, e.g. `<text x="4" y="12">loss</text>`, in pixel coordinates)
 * over an RGB or grey raster and returns the RGB result at the same size.
 */
export async function overlaySvg(image: RasterImage, svgBody: string): Promise<RasterImage> {
  assertRasterShape(image, 'overlaySvg image');
  const { width, height, channels, data } = image;
  if (channels !== 1 && channels !== 3) {
    throw new Error(`overlaySvg: the image must have 1 or 3 channels, got ${channels}`);
  }
  const bytes = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) {
      const v = data[i * channels + (channels === 3 ? c : 0)]!;
      bytes[3 * i + c] = v > 0 ? (v >= 1 ? 255 : Math.round(v * 255)) : 0;
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svgBody}</svg>`;
  const out = await sharp(bytes, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const result = new Float32Array(width * height * 3);
  for (let i = 0; i < result.length; i++) result[i] = out[i]! / 255;
  return { data: result, width, height, channels: 3 };
}
