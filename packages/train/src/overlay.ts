import { encodePng, type RasterImage } from '@unet/data';
import { toChannels } from '@unet/infer';
import { Canvas, type Rgb } from './plot/canvas.js';

/** Options of {@link renderOverlay}. */
export interface OverlayOptions {
  /** Panel titles. Default `image`, `true mask`, `predicted mask`. */
  titles?: [string, string, string];
  /** Gap between panels in pixels. Default: 2% of the image width, at least 4. */
  gap?: number;
}

const BACKGROUND: Rgb = [1, 1, 1];
const INK: Rgb = [0, 0, 0];

/**
 * Side-by-side panels `image | true mask | predicted mask` (as the seed articles show them) with
 * titles, in one RGB raster; without a true mask `image | predicted mask`. All inputs must have
 * the same width and height; masks are drawn white on black.
 */
export async function renderOverlay(
  image: RasterImage,
  predicted: RasterImage,
  truth?: RasterImage,
  options: OverlayOptions = {},
): Promise<RasterImage> {
  const panels = truth ? [image, truth, predicted] : [image, predicted];
  const titles = options.titles ?? ['image', 'true mask', 'predicted mask'];
  const panelTitles = truth ? titles : [titles[0], titles[2]];
  for (const [i, p] of panels.entries()) {
    if (p.width !== image.width || p.height !== image.height) {
      throw new Error(
        `overlay panel '${panelTitles[i]}' is ${p.width}x${p.height}, the image ${image.width}x${image.height}; they must match`,
      );
    }
  }
  const { width, height } = image;
  const gap = options.gap ?? Math.max(4, Math.round(width * 0.02));
  // Titles scale with the panels: 11 px type for a 200 px image, 22 px for 400 px, ...
  const fontSize = 11 * Math.max(1, Math.round(width / 200));
  const band = Math.round(fontSize * 1.6);
  const canvas = new Canvas(
    panels.length * width + (panels.length - 1) * gap,
    height + band,
    BACKGROUND,
  );
  panels.forEach((panel, i) => {
    const x = i * (width + gap);
    canvas.paste(toChannels(panel, panel.channels === 4 ? 3 : panel.channels), x, band);
    const title = panelTitles[i]!;
    canvas.text(x + width / 2, Math.round(fontSize * 1.15), title, INK, fontSize, 'middle');
  });
  return canvas.render();
}

/** {@link renderOverlay} written as a PNG file (folders created). */
export async function writeOverlay(
  file: string,
  image: RasterImage,
  predicted: RasterImage,
  truth?: RasterImage,
  options?: OverlayOptions,
): Promise<void> {
  await encodePng(file, await renderOverlay(image, predicted, truth, options));
}
