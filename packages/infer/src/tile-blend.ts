import type { RasterImage } from './raster.js';
import type { TiledPredictionPlan } from './tile-plan.js';

/**
 * The model outputs of consecutive tiles `start .. start + count - 1` of a plan: `count` tiles of
 * `tileHeight x tileWidth x channels`, NHWC, as `predictTiles` returns them.
 */
export interface TileOutputs {
  start: number;
  count: number;
  channels: number;
  data: Float32Array;
}

/**
 * Blend weights along one axis for the tile at `index` of `count`: a linear ramp from ~0 to 1
 * across the part shared with the previous and the next tile, 1 elsewhere. Neighbouring ramps
 * sum to 1, so overlaps cross-fade and a pixel far from tile edges takes one tile's value.
 */
function axisWeights(tile: number, stride: number, index: number, count: number): Float32Array {
  const overlap = tile - stride;
  const w = new Float32Array(tile).fill(1);
  if (overlap <= 0) return w;
  for (let u = 0; u < tile; u++) {
    const left = index > 0 ? (u + 0.5) / overlap : 1;
    const right = index < count - 1 ? (tile - u - 0.5) / overlap : 1;
    w[u] = Math.max(1e-3, Math.min(1, left, right));
  }
  return w;
}

/**
 * Blends tile outputs into the image-size output, linearly in the overlaps. Tiles must come in
 * plan order (each `add` continuing where the last ended): float sums then run in the same order
 * wherever the tiles were predicted, so the result is bit-identical to `predictTiled`'s.
 */
export class TileBlender {
  private readonly weightsX: Float32Array[];
  private readonly weightsY: Float32Array[];
  private readonly weightSum: Float32Array;
  private sum: Float32Array | null = null;
  private channels = 0;
  private next = 0;

  constructor(private readonly plan: TiledPredictionPlan) {
    this.weightsX = Array.from({ length: plan.columns }, (_, i) =>
      axisWeights(plan.tileWidth, plan.strideX, i, plan.columns),
    );
    this.weightsY = Array.from({ length: plan.rows }, (_, i) =>
      axisWeights(plan.tileHeight, plan.strideY, i, plan.rows),
    );
    this.weightSum = new Float32Array(plan.width * plan.height);
  }

  /** Tiles blended so far (the next `add` must start here). */
  get done(): number {
    return this.next;
  }

  /** Adds the next tiles' outputs. */
  add(outputs: TileOutputs): void {
    const { plan } = this;
    const { tileWidth, tileHeight, width, height } = plan;
    const { start, count, channels: oc, data: values } = outputs;
    const tilePixels = tileWidth * tileHeight;
    if (start !== this.next || start + count > plan.origins.length) {
      throw new Error(
        `tile outputs ${start}..${start + count - 1} do not continue the blend at tile ${this.next} of ${plan.origins.length}`,
      );
    }
    if (values.length !== count * tilePixels * oc || (this.sum !== null && oc !== this.channels)) {
      throw new Error(
        `tile outputs ${start}..${start + count - 1}: expected ${count} tiles of ${tileHeight}x${tileWidth}x${this.sum ? this.channels : oc}, got ${values.length} values`,
      );
    }
    if (this.sum === null) {
      this.channels = oc;
      this.sum = new Float32Array(width * height * oc);
    }
    const sum = this.sum;
    const weightSum = this.weightSum;
    for (let k = 0; k < count; k++) {
      const o = plan.origins[start + k]!;
      const wx = this.weightsX[o.x / plan.strideX]!;
      const wy = this.weightsY[o.y / plan.strideY]!;
      const base = k * tilePixels * oc;
      for (let v = 0; v < tileHeight; v++) {
        const gy = o.y + v;
        if (gy >= height) break;
        for (let u = 0; u < tileWidth; u++) {
          const gx = o.x + u;
          if (gx >= width) break;
          const w = wy[v]! * wx[u]!;
          const g = gy * width + gx;
          weightSum[g] = weightSum[g]! + w;
          const s = base + (v * tileWidth + u) * oc;
          for (let c = 0; c < oc; c++) sum[g * oc + c] = sum[g * oc + c]! + w * values[s + c]!;
        }
      }
    }
    this.next = start + count;
  }

  /** The blended output (all channels) at the image's size, once every tile was added. */
  finish(): RasterImage {
    const { plan, channels } = this;
    if (this.sum === null || this.next !== plan.origins.length) {
      throw new Error(`the blend has ${this.next} of ${plan.origins.length} tiles`);
    }
    const out = this.sum;
    for (let g = 0; g < this.weightSum.length; g++) {
      const w = this.weightSum[g]!;
      for (let c = 0; c < channels; c++) out[g * channels + c] = out[g * channels + c]! / w;
    }
    this.sum = null;
    return { data: out, width: plan.width, height: plan.height, channels };
  }
}
