import { escapeSvgText, overlaySvg, type RasterImage } from '@unet/data';

/** An RGB colour, components in [0, 1]. */
export type Rgb = readonly [number, number, number];

/** Horizontal alignment of a text at its x. */
export type TextAnchor = 'start' | 'middle' | 'end';

/** Font of every text on a canvas (DejaVu Sans is what Debian's fonts-dejavu-core installs). */
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/**
 * A minimal RGB raster to draw plots and panels into without a canvas dependency: pixels,
 * rectangles, thick lines and pasted rasters are drawn at once; texts are collected and set in
 * real type over the pixels by {@link Canvas.render} (SVG through sharp).
 */
export class Canvas {
  readonly data: Float32Array;
  private readonly texts: string[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [1, 1, 1],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`canvas size must be positive integers, got ${width}x${height}`);
    }
    this.data = new Float32Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Sets one pixel (ignored outside the canvas). */
  set(x: number, y: number, color: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 3;
    this.data[i] = color[0];
    this.data[i + 1] = color[1];
    this.data[i + 2] = color[2];
  }

  /** Fills the rectangle [x, x+w) x [y, y+h), clipped to the canvas. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.data[i] = color[0];
        this.data[i + 1] = color[1];
        this.data[i + 2] = color[2];
      }
    }
  }

  /** A line from (x0, y0) to (x1, y1), `thickness` pixels wide (square brush). */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const r = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      const x = x0 + (x1 - x0) * t;
      const y = y0 + (y1 - y0) * t;
      if (thickness <= 1) this.set(x, y, color);
      else this.fillRect(Math.round(x - r), Math.round(y - r), thickness, thickness, color);
    }
  }

  /** Dashed horizontal or vertical line (for grids). */
  dashed(x0: number, y0: number, x1: number, y1: number, color: Rgb, dash = 3): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      if (Math.floor(s / dash) % 2 === 1) continue;
      const t = s / steps;
      this.set(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, color);
    }
  }

  /**
   * Sets `text` with its baseline at y, `size` pixels high, aligned at x by `anchor`.
   * Drawn by {@link Canvas.render}, over everything else.
   */
  text(
    x: number,
    y: number,
    text: string,
    color: Rgb,
    size = 11,
    anchor: TextAnchor = 'start',
  ): void {
    const fill = `rgb(${color.map((c) => Math.round(c * 255)).join(',')})`;
    this.texts.push(
      `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${FONT}" font-size="${size}" fill="${fill}" text-anchor="${anchor}">${escapeSvgText(text)}</text>`,
    );
  }

  /**
   * Copies `image` (1 channel = grey, 3 = RGB, 4 = RGB with alpha ignored) with its top-left
   * corner at (x, y).
   */
  paste(image: RasterImage, x: number, y: number): void {
    const { width, height, channels, data } = image;
    for (let yy = 0; yy < height; yy++) {
      const ty = y + yy;
      if (ty < 0 || ty >= this.height) continue;
      for (let xx = 0; xx < width; xx++) {
        const tx = x + xx;
        if (tx < 0 || tx >= this.width) continue;
        const s = (yy * width + xx) * channels;
        const t = (ty * this.width + tx) * 3;
        if (channels >= 3) {
          this.data[t] = data[s]!;
          this.data[t + 1] = data[s + 1]!;
          this.data[t + 2] = data[s + 2]!;
        } else {
          const v = data[s]!;
          this.data[t] = v;
          this.data[t + 1] = v;
          this.data[t + 2] = v;
        }
      }
    }
  }

  /** The picture, texts set, as a 3-channel {@link RasterImage}. */
  async render(): Promise<RasterImage> {
    const pixels = { data: this.data, width: this.width, height: this.height, channels: 3 };
    return this.texts.length === 0 ? pixels : overlaySvg(pixels, this.texts.join(''));
  }
}
