import * as tf from '@tensorflow/tfjs';
import {
  planTiledPrediction,
  planTiles,
  predictProbability,
  predictTiled,
  predictTiles,
  type RasterImage,
  TileBlender,
} from '@unet/infer';
import { beforeAll, describe, expect, it } from 'vitest';
import { onesConv } from './test-support.js';

// On tfjs's pure-JavaScript cpu backend: what runs here runs in a browser.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

function seededImage(width: number, height: number, channels = 1, seed = 1): RasterImage {
  let s = seed;
  const data = new Float32Array(width * height * channels);
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) % 4294967296;
    data[i] = s / 4294967296;
  }
  return { data, width, height, channels };
}

/** A small U-Net: conv, max-pool, conv, up-sample, skip concat, conv, 1x1 sigmoid (any H, W even). */
function smallUnet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const conv = (filters: number, seed: number, size = 3, activation: 'relu' | 'sigmoid' = 'relu') =>
    tf.layers.conv2d({
      filters,
      kernelSize: size,
      padding: 'same',
      activation,
      kernelInitializer: init(seed),
      biasInitializer: 'zeros',
    });
  const input = tf.input({ shape: [null, null, 1] });
  const c1 = conv(4, 1).apply(input) as tf.SymbolicTensor;
  const down = tf.layers.maxPooling2d({ poolSize: 2 }).apply(c1) as tf.SymbolicTensor;
  const c2 = conv(8, 2).apply(down) as tf.SymbolicTensor;
  const up = tf.layers.upSampling2d({ size: [2, 2] }).apply(c2) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate().apply([up, c1]) as tf.SymbolicTensor;
  const c3 = conv(4, 3).apply(merged) as tf.SymbolicTensor;
  const out = conv(1, 4, 1, 'sigmoid').apply(c3) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function wholeImage(model: tf.LayersModel, image: RasterImage): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(image.data, [1, image.height, image.width, image.channels]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** Pixels at least `margin` from every edge of every tile that covers them. */
function farFromTileEdges(
  width: number,
  height: number,
  tile: number,
  origins: { x: number; y: number }[],
  margin: number,
) {
  const keep: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const covering = origins.filter(
        (o) => x >= o.x && x < o.x + tile && y >= o.y && y < o.y + tile,
      );
      const ok = covering.every(
        (o) => Math.min(x - o.x, o.x + tile - 1 - x, y - o.y, o.y + tile - 1 - y) >= margin,
      );
      if (ok) keep.push(y * width + x);
    }
  }
  return keep;
}

describe('tiled prediction', () => {
  it('plans aligned, overlapping tiles that cover the image', () => {
    const plan = planTiles(160, 112, 64, 64, 16, 16);
    expect([plan.strideX, plan.columns, plan.rows]).toEqual([48, 3, 2]);
    expect(plan.origins.map((o) => `${o.x},${o.y}`)).toEqual([
      '0,0',
      '48,0',
      '96,0',
      '0,48',
      '48,48',
      '96,48',
    ]);
    expect(planTiles(160, 112, 64, 64, 16, 32).strideX).toBe(32);
    expect(planTiles(50, 40, 64, 64, 16, 16).origins).toEqual([{ x: 0, y: 0 }]);
    expect(() => planTiles(100, 100, 64, 64, 64)).toThrow(
      /overlap must be >= 0 and smaller than the tile/,
    );
  });

  it('equals the whole-image prediction of a fully convolutional U-Net away from tile borders', async () => {
    const model = smallUnet();
    const image = seededImage(160, 112);
    const whole = wholeImage(model, image);
    const before = tf.memory().numTensors;
    const tiled = await predictTiled(model, image, {
      tileSize: 64,
      overlap: 16,
      align: 16,
      batchSize: 2,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect([tiled.width, tiled.height, tiled.channels]).toEqual([160, 112, 1]);
    const plan = planTiles(160, 112, 64, 64, 16, 16);
    const interior = farFromTileEdges(160, 112, 64, plan.origins, 8);
    expect(interior.length).toBeGreaterThan(3000);
    const diff = (a: Float32Array, ids: number[]) =>
      Math.max(...ids.map((i) => Math.abs(a[i]! - whole[i]!)));
    expect(diff(tiled.data, interior)).toBeLessThan(1e-5);
    // Not a trivial model: the output varies.
    expect(Math.max(...whole) - Math.min(...whole)).toBeGreaterThan(0.01);
    // Everywhere (overlaps blended) it stays close.
    expect(diff(tiled.data, [...whole.keys()])).toBeLessThan(0.05);
    // Tiles off the pooling grid (odd stride) differ even in the interior: alignment matters.
    const misaligned = await predictTiled(model, image, { tileSize: 64, overlap: 13, align: 1 });
    const oddPlan = planTiles(160, 112, 64, 64, 13, 1);
    expect(oddPlan.strideX).toBe(51);
    expect(
      diff(misaligned.data, farFromTileEdges(160, 112, 64, oddPlan.origins, 8)),
    ).toBeGreaterThan(1e-4);
  });

  it('tiles predicted in separate pieces and blended in order equal predictTiled bit for bit', async () => {
    const model = smallUnet();
    const image = seededImage(200, 150);
    const options = { tileSize: 64, overlap: 24, align: 16, batchSize: 2 };
    const tiled = await predictTiled(model, image, options);
    const plan = planTiledPrediction(model, 200, 150, options);
    expect([plan.columns, plan.rows, plan.batchSize]).toEqual([6, 4, 2]);
    // Pieces of 6 tiles (a multiple of the batch), predicted out of order as separate jobs would.
    const starts = [12, 0, 18, 6];
    const pieces = await Promise.all(
      starts.map((s) => predictTiles(model, image, plan, s, Math.min(s + 6, plan.origins.length))),
    );
    const blender = new TileBlender(plan);
    expect(() => blender.add(pieces[0]!)).toThrow(/do not continue the blend at tile 0 of 24/);
    for (const piece of [...pieces].sort((a, b) => a.start - b.start)) blender.add(piece);
    const stitched = blender.finish();
    expect([stitched.width, stitched.height, stitched.channels]).toEqual([200, 150, 1]);
    expect(Buffer.from(stitched.data.buffer).equals(Buffer.from(tiled.data.buffer))).toBe(true);
    // A missing piece is an error, not a silently darker stitch.
    const partial = new TileBlender(plan);
    partial.add(pieces[1]!);
    expect(() => partial.finish()).toThrow(/the blend has 6 of 24 tiles/);
  });

  it('segments a 1388x1040 microscope-sized image at full resolution', async () => {
    const image = seededImage(1388, 1040);
    const probability = await predictProbability(smallUnet(), image, {
      tile: { tileSize: 256, overlap: 32 },
    });
    expect([probability.width, probability.height, probability.channels]).toEqual([1388, 1040, 1]);
    expect(probability.data.every(Number.isFinite)).toBe(true);
  });
});

describe('predictProbability', () => {
  it('maps a fixed-size model output back to each image size', async () => {
    // Smooth ramp: resizing 40x30 -> 16x16 -> 40x30 keeps it close.
    const ramp: RasterImage = { width: 40, height: 30, channels: 1, data: new Float32Array(1200) };
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) ramp.data[y * 40 + x] = x / 39;
    const out = await predictProbability(onesConv(16), ramp);
    expect([out.width, out.height]).toEqual([40, 30]);
    expect(Math.max(...out.data.map((v, i) => Math.abs(v - ramp.data[i]!)))).toBeLessThan(0.05);
  });
});
