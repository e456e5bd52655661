/**
 * Robust intensity scaling for high-bit-depth imagery (16-bit satellite tiles often use only
 * 11-12 bits, and a few saturated or black pixels would ruin a min/max stretch).
 */
import type { RasterImage } from './raster.js';

/** Options of {@link normalizePercentiles}. */
export interface PercentileOptions {
  /** Lower percentile mapped to 0 (default 2). */
  low?: number;
  /** Upper percentile mapped to 1 (default 98). */
  high?: number;
  /**
   * Value treated as "no data" (left out of the percentiles and written as 0). Default 0, the
   * fill value of image margins in SpaceNet-style tiles. `null` keeps every pixel.
   */
  nodata?: number | null;
}

const LEVELS = 65536;

/**
 * Per channel: value -> clamp((value - p_low) / (p_high - p_low), 0, 1), with the percentiles
 * taken over the channel's valid (non-nodata) pixels. Input values are assumed to come from
 * 16-bit samples scaled to [0, 1] (as `decodeImage` of @unet/data returns them), so percentiles are exact
 * on a 65536-bin histogram. If p_high <= p_low the channel's min/max are used instead; a channel
 * without valid pixels becomes 0.
 */
export function normalizePercentiles(
  image: RasterImage,
  options: PercentileOptions = {},
): RasterImage {
  const low = options.low ?? 2;
  const high = options.high ?? 98;
  if (!(low >= 0 && high <= 100 && low < high)) {
    throw new Error(`percentiles must satisfy 0 <= low < high <= 100, got low=${low} high=${high}`);
  }
  const nodata = options.nodata === undefined ? 0 : options.nodata;
  const nodataLevel = nodata === null ? -1 : Math.round(nodata * (LEVELS - 1));
  const { data, channels } = image;
  const pixels = image.width * image.height;
  const out = new Float32Array(data.length);
  for (let c = 0; c < channels; c++) {
    const histogram = new Float64Array(LEVELS);
    let valid = 0;
    for (let i = 0; i < pixels; i++) {
      const level = toLevel(data[i * channels + c]!);
      if (level === nodataLevel) continue;
      histogram[level]!++;
      valid++;
    }
    if (valid === 0) continue; // all nodata: stays 0
    let lo = levelAtPercentile(histogram, valid, low);
    let hi = levelAtPercentile(histogram, valid, high);
    if (hi <= lo) {
      lo = levelAtPercentile(histogram, valid, 0);
      hi = levelAtPercentile(histogram, valid, 100);
    }
    const range = hi - lo;
    for (let i = 0; i < pixels; i++) {
      const index = i * channels + c;
      const level = toLevel(data[index]!);
      if (level === nodataLevel) continue;
      out[index] = range > 0 ? Math.min(1, Math.max(0, (level - lo) / range)) : 0;
    }
  }
  return { data: out, width: image.width, height: image.height, channels };
}

function toLevel(value: number): number {
  const level = Math.round(value * (LEVELS - 1));
  return level < 0 ? 0 : level >= LEVELS ? LEVELS - 1 : level;
}

/** Level at percentile `p` (linear interpolation between ranks, like numpy's default). */
function levelAtPercentile(histogram: Float64Array, count: number, p: number): number {
  const rank = (p / 100) * (count - 1);
  const below = Math.floor(rank);
  const fraction = rank - below;
  const a = levelOfRank(histogram, below);
  if (fraction === 0) return a;
  const b = levelOfRank(histogram, below + 1);
  return a + (b - a) * fraction;
}

function levelOfRank(histogram: Float64Array, rank: number): number {
  let seen = 0;
  for (let level = 0; level < LEVELS; level++) {
    seen += histogram[level]!;
    if (seen > rank) return level;
  }
  return LEVELS - 1;
}
