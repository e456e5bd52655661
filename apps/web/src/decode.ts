import type { RasterImage } from '@unet/infer';

/** A decoded image file: pixels in [0, 1] as `decodeImage` gives them in Node. */
export interface DecodedImage {
  name: string;
  image: RasterImage;
  /** Bits per sample of the file (the browser decodes to 8 bits; 16-bit PNGs say 16 here). */
  bitDepth: number;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/**
 * Channels of a PNG from its IHDR colour type: grey (0) and grey + alpha (4) are 1 channel
 * (alpha dropped), RGB (2) and palette (3) are 3, RGBA (6) is 4. Also its bit depth.
 */
function pngFormat(bytes: Uint8Array): { channels: number; bitDepth: number } {
  const bitDepth = bytes[24] ?? 8;
  const colourType = bytes[25];
  const channels = colourType === 0 || colourType === 4 ? 1 : colourType === 6 ? 4 : 3;
  return { channels, bitDepth };
}

/**
 * Decodes a PNG or JPEG file in the browser. The file's bytes decide what it is (not its name or
 * MIME type); colour management and alpha premultiplication are off so the pixel values are the
 * file's, as sharp reads them in Node.
 * @throws naming the file when it is not a PNG/JPEG or cannot be decoded.
 */
export async function decodeImageFile(file: Blob & { name: string }): Promise<DecodedImage> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isPng = startsWith(bytes, PNG);
  if (!isPng && !startsWith(bytes, JPEG)) {
    throw new Error(`${file.name} is not a PNG or JPEG image`);
  }
  const format = isPng ? pngFormat(bytes) : { channels: 3, bitDepth: 8 };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]), {
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch {
    throw new Error(`${file.name} cannot be decoded (a damaged ${isPng ? 'PNG' : 'JPEG'}?)`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const channels = format.channels;
  const data = new Float32Array(width * height * channels);
  // RGBA from the canvas -> the file's own channels (grey is replicated there; take red).
  for (let i = 0, j = 0; i < width * height; i++) {
    for (let c = 0; c < channels; c++) data[j++] = rgba[4 * i + (channels === 1 ? 0 : c)]! / 255;
  }
  return { name: file.name, image: { data, width, height, channels }, bitDepth: format.bitDepth };
}

/** A 1-channel {0, 1} mask as a PNG blob at its own size (0 background, 255 foreground). */
export async function maskToPng(mask: RasterImage): Promise<Blob> {
  const canvas = new OffscreenCanvas(mask.width, mask.height);
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(mask.width, mask.height);
  for (let i = 0; i < mask.width * mask.height; i++) {
    const v = mask.data[i]! > 0 ? 255 : 0;
    pixels.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(pixels, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
