import type { RasterImage } from '@unet/infer';

/** How a result is drawn: the image with the mask in red on top, or the mask alone. */
export interface ViewSettings {
  opacity: number;
  maskOnly: boolean;
}

/** Draws `image` with `mask` overlaid into `canvas`, at the image's original size. */
export function drawResult(
  canvas: HTMLCanvasElement,
  image: RasterImage,
  mask: RasterImage,
  view: ViewSettings,
): void {
  const { width, height, channels, data } = image;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(width, height);
  const out = pixels.data;
  const alpha = view.opacity;
  for (let i = 0; i < width * height; i++) {
    const m = mask.data[i]! > 0;
    let r: number;
    let g: number;
    let b: number;
    if (view.maskOnly) {
      r = g = b = m ? 255 : 0;
    } else {
      r = data[i * channels]! * 255;
      g = channels >= 3 ? data[i * channels + 1]! * 255 : r;
      b = channels >= 3 ? data[i * channels + 2]! * 255 : r;
      if (m) {
        r = r * (1 - alpha) + 255 * alpha;
        g *= 1 - alpha;
        b *= 1 - alpha;
      }
    }
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}

/** Shows a message on the page (never only in the console): bad files, bad bundles, failures. */
export function showError(message: string): void {
  const box = document.getElementById('messages')!;
  const line = document.createElement('div');
  line.className = 'error';
  line.textContent = message;
  box.append(line);
}

export function clearErrors(): void {
  document.getElementById('messages')!.replaceChildren();
}
