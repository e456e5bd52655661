import { encodePng, type RasterImage } from '@unet/data';
import { Canvas, type Rgb } from './plot/canvas.js';
import type { TrainHistory } from './training-state.js';

/** Options of {@link renderCurves}. */
export interface CurvesOptions {
  /** Image width in pixels. Default 800. */
  width?: number;
  /** Height of each panel in pixels. Default 260. */
  panelHeight?: number;
  /**
   * Quantities to plot, without `val_` (each gets a panel with its training and validation
   * series). Default: every logged quantity, `loss` first, `lr` (log scale) last.
   */
  keys?: string[];
}

const TRAIN: Rgb = [0.12, 0.47, 0.71];
const VAL: Rgb = [1, 0.5, 0.05];
const INK: Rgb = [0.1, 0.1, 0.1];
const GRID: Rgb = [0.8, 0.8, 0.8];
const MARGIN = { left: 72, right: 16, top: 34, bottom: 30 };

function plotKeys(history: Record<string, number[]>): string[] {
  const bases = new Set(Object.keys(history).map((k) => k.replace(/^val_/, '')));
  const rest = [...bases].filter((k) => k !== 'loss' && k !== 'lr').sort();
  return [...(bases.has('loss') ? ['loss'] : []), ...rest, ...(bases.has('lr') ? ['lr'] : [])];
}

/** About five round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return [min];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

function tickLabel(value: number, step: number, log: boolean): string {
  if (log) return `1E${Math.round(value)}`;
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

function drawPanel(
  canvas: Canvas,
  top: number,
  height: number,
  key: string,
  epochs: number[],
  train: number[] | undefined,
  val: number[] | undefined,
): void {
  const log = key === 'lr';
  const transform = (v: number) => (log ? Math.log10(v) : v);
  const values = [...(train ?? []), ...(val ?? [])].map(transform).filter(Number.isFinite);
  let yMin = Math.min(...values);
  let yMax = Math.max(...values);
  if (values.length === 0) [yMin, yMax] = [0, 1];
  if (yMin === yMax) {
    const pad = Math.abs(yMin) * 0.1 || 1;
    yMin -= pad;
    yMax += pad;
  } else {
    const pad = (yMax - yMin) * 0.05;
    yMin -= pad;
    yMax += pad;
  }
  const x0 = MARGIN.left;
  const x1 = canvas.width - MARGIN.right;
  const y0 = top + MARGIN.top;
  const y1 = top + height - MARGIN.bottom;
  let eMin = Math.min(...epochs) + 1;
  let eMax = Math.max(...epochs) + 1;
  if (eMin === eMax) [eMin, eMax] = [eMin - 1, eMax + 1];
  const px = (epoch: number) => x0 + ((epoch + 1 - eMin) / (eMax - eMin)) * (x1 - x0);
  const py = (v: number) => y1 - ((transform(v) - yMin) / (yMax - yMin)) * (y1 - y0);

  const yTicks = log
    ? niceTicks(Math.floor(yMin), Math.ceil(yMax)).filter(
        (t) => Number.isInteger(t) && t >= yMin && t <= yMax,
      )
    : niceTicks(yMin, yMax);
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  for (const t of yTicks) {
    const y = y1 - ((t - yMin) / (yMax - yMin)) * (y1 - y0);
    canvas.dashed(x0, y, x1, y, GRID);
    const label = tickLabel(t, yStep, log);
    canvas.text(x0 - 6, y + 4, label, INK, 11, 'end');
  }
  for (const t of niceTicks(eMin, eMax, 8).filter(Number.isInteger)) {
    const x = px(t - 1);
    canvas.line(x, y1, x, y1 + 3, INK);
    const label = String(t);
    canvas.text(x, y1 + 16, label, INK, 11, 'middle');
  }
  canvas.text(x1, y1 + 28, 'epoch', INK, 11, 'end');
  canvas.line(x0, y0, x0, y1, INK);
  canvas.line(x0, y1, x1, y1, INK);
  canvas.line(x0, y0, x1, y0, INK);
  canvas.line(x1, y0, x1, y1, INK);
  canvas.text(x0, top + 24, log ? `${key} (log)` : key, INK, 16);

  let legendX = x1;
  for (const [name, series, color] of (log
    ? []
    : [
        ['val', val, VAL],
        ['train', train, TRAIN],
      ]) as [string, number[] | undefined, Rgb][]) {
    if (series === undefined) continue;
    // About 7 px a character at 11 px: the legend only needs to not overlap.
    legendX -= name.length * 7 + 22;
    canvas.fillRect(legendX, top + 12, 10, 10, color);
    canvas.text(legendX + 14, top + 21, name, INK);
  }

  for (const [series, color] of [
    [train, TRAIN],
    [val, VAL],
  ] as const) {
    if (series === undefined) continue;
    let previous: [number, number] | null = null;
    series.forEach((v, i) => {
      const finite = Number.isFinite(transform(v));
      if (!finite) {
        previous = null;
        return;
      }
      const point: [number, number] = [px(epochs[i]!), py(v)];
      if (previous) canvas.line(previous[0], previous[1], point[0], point[1], color, 2);
      if (series.length <= 60) canvas.fillRect(point[0] - 2, point[1] - 2, 5, 5, color);
      previous = point;
    });
  }
}

/**
 * Draws training curves (one panel per quantity: training and validation series over epochs,
 * ticks, legend) into an RGB raster, with real text set by sharp's SVG renderer.
 *
 * @example
 * ```ts
 * await encodePng('curves.png', await renderCurves(result));
 * ```
 */
export async function renderCurves(
  history: TrainHistory,
  options: CurvesOptions = {},
): Promise<RasterImage> {
  const width = options.width ?? 800;
  const panelHeight = options.panelHeight ?? 260;
  const keys = options.keys ?? plotKeys(history.history);
  if (keys.length === 0 || history.epoch.length === 0) {
    throw new Error('renderCurves: the history is empty (no epochs or no logged quantities)');
  }
  const canvas = new Canvas(width, panelHeight * keys.length);
  keys.forEach((key, i) => {
    drawPanel(
      canvas,
      i * panelHeight,
      panelHeight,
      key,
      history.epoch,
      history.history[key],
      history.history[`val_${key}`],
    );
  });
  return canvas.render();
}

/** {@link renderCurves} written as a PNG file (folders created). */
export async function writeCurves(
  file: string,
  history: TrainHistory,
  options: CurvesOptions = {},
): Promise<void> {
  await encodePng(file, await renderCurves(history, options));
}
