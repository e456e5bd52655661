import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeImage, encodePng, type RasterImage } from '@unet/data';
import {
  evaluate,
  initBackend,
  planTiles,
  predict,
  predictProbability,
  predictTiled,
  renderCurves,
  renderOverlay,
  writeCurves,
} from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';
import { quiet, tempDir } from './test-helpers.js';

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
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

/** Output = input (1x1 conv, weight 1, no bias), with free or fixed spatial size. */
function identity(size: number | null = null): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [size, size, 1],
        filters: 1,
        kernelSize: 1,
        kernelInitializer: 'ones',
        useBias: false,
      }),
    ],
  });
  return model;
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

  it('segments a 1388x1040 microscope-sized image at full resolution', async () => {
    const image = seededImage(1388, 1040);
    const probability = await predictProbability(smallUnet(), image, {
      tile: { tileSize: 256, overlap: 32 },
    });
    expect([probability.width, probability.height, probability.channels]).toEqual([1388, 1040, 1]);
    expect(probability.data.every(Number.isFinite)).toBe(true);
  });
});

describe('predict', () => {
  it('maps a fixed-size model output back to each image size', async () => {
    // Smooth ramp: resizing 40x30 -> 16x16 -> 40x30 keeps it close.
    const ramp: RasterImage = { width: 40, height: 30, channels: 1, data: new Float32Array(1200) };
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) ramp.data[y * 40 + x] = x / 39;
    const out = await predictProbability(identity(16), ramp);
    expect([out.width, out.height]).toEqual([40, 30]);
    expect(Math.max(...out.data.map((v, i) => Math.abs(v - ramp.data[i]!)))).toBeLessThan(0.05);
  });

  it('writes thresholded PNG masks and overlays at the original sizes', async () => {
    const outDir = await tempDir('predict');
    const a = seededImage(24, 20, 1, 3);
    const b = seededImage(33, 17, 1, 4);
    const file = path.join(outDir, 'inputs', 'c.png');
    await encodePng(file, seededImage(18, 12, 1, 5));
    const truth = { ...a, data: a.data.map((v) => (v > 0.5 ? 1 : 0)) };
    const results = await predict({
      model: identity(),
      inputs: [{ name: 'a', image: a, mask: truth }, { name: 'b', image: b }, file],
      outDir,
      overlays: true,
    });
    expect(results.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    const maskA = await decodeImage(results[0]!.maskFile!);
    expect([maskA.width, maskA.height, maskA.channels]).toEqual([24, 20, 1]);
    expect(Array.from(maskA.data)).toEqual(Array.from(truth.data));
    const maskC = await decodeImage(results[2]!.maskFile!);
    expect([maskC.width, maskC.height]).toEqual([18, 12]);
    const overlayA = await decodeImage(results[0]!.overlayFile!);
    const gap = 4;
    expect(overlayA.width).toBe(3 * 24 + 2 * gap);
    const overlayB = await decodeImage(results[1]!.overlayFile!);
    expect(overlayB.width).toBe(2 * 33 + gap);
    await expect(
      predict({
        model: identity(),
        inputs: [
          { name: 'x', image: a },
          { name: 'x', image: b },
        ],
      }),
    ).rejects.toThrow(/two inputs are named 'x'/);
  });

  it('evaluate predicts at the original size and scores pixels and instances', async () => {
    const image = seededImage(30, 22, 1, 9);
    const mask = { ...image, data: image.data.map((v) => (v > 0.5 ? 1 : 0)) };
    const report = await evaluate({
      model: identity(),
      samples: [{ name: 's', image: mask, mask }],
      instances: true,
    });
    expect(report.perImage[0]).toMatchObject({ name: 's', dice: 1, iou: 1, averagePrecision: 1 });
    expect(report.overall.fp + report.overall.fn).toBe(0);
    const x = tf.tensor4d(mask.data, [1, 22, 30, 1]);
    const flipped = tf.sub(1, x) as tf.Tensor4D;
    const fromTensors = await evaluate({ model: identity(), x, y: flipped });
    expect(fromTensors.overall.dice).toBe(0);
    tf.dispose([x, flipped]);
  });
});

describe('reports', () => {
  const TRAIN = [31, 120, 181];
  const VAL = [255, 128, 13];

  function pixelsOf(image: RasterImage, rgb: number[], maxY: number) {
    const points: { x: number; y: number }[] = [];
    for (let y = 0; y < maxY; y++) {
      for (let x = 0; x < image.width; x++) {
        const i = (y * image.width + x) * 3;
        if (rgb.every((c, k) => Math.abs(Math.round(image.data[i + k]! * 255) - c) <= 1))
          points.push({ x, y });
      }
    }
    return points;
  }

  it('draws one panel per quantity with falling loss drawn falling, as a PNG', async () => {
    const history = {
      epoch: [0, 1, 2, 3, 4],
      history: {
        loss: [1, 0.6, 0.4, 0.3, 0.25],
        val_loss: [1.1, 0.7, 0.5, 0.45, 0.44],
        dice: [0.2, 0.5, 0.6, 0.7, 0.75],
        lr: [1e-3, 1e-3, 1e-4, 1e-4, 1e-5],
      },
    };
    const image = renderCurves(history);
    expect([image.width, image.height, image.channels]).toEqual([800, 3 * 260, 3]);
    const train = pixelsOf(image, TRAIN, 260).filter((p) => p.y > 40); // loss panel, below the legend
    const val = pixelsOf(image, VAL, 260).filter((p) => p.y > 40);
    expect(train.length).toBeGreaterThan(100);
    expect(val.length).toBeGreaterThan(100);
    const meanY = (points: { x: number; y: number }[], from: number, to: number) => {
      const sel = points.filter((p) => p.x >= from && p.x < to);
      return sel.reduce((s, p) => s + p.y, 0) / sel.length;
    };
    // Loss falls: the train line is higher up (smaller y) on the left than on the right.
    expect(meanY(train, 72, 200)).toBeLessThan(meanY(train, 650, 784) - 50);
    // Validation loss is above training loss: drawn lower (larger y) at the end.
    expect(meanY(val, 700, 784)).toBeLessThan(meanY(train, 700, 784));
    // The dice panel has no validation series: no orange there except nothing.
    expect(
      pixelsOf({ ...image, data: image.data.subarray(260 * 800 * 3), height: 260 }, VAL, 260),
    ).toHaveLength(0);
    const file = path.join(await tempDir('curves'), 'curves.png');
    await writeCurves(file, history);
    const png = await decodeImage(file);
    expect([png.width, png.height]).toEqual([800, 780]);
  });

  it('places image | true mask | predicted mask side by side below their titles', () => {
    const image = seededImage(40, 30, 3, 2);
    const truth = { ...seededImage(40, 30, 1, 3) };
    const predicted = { ...seededImage(40, 30, 1, 4) };
    const overlay = renderOverlay(image, predicted, truth, { gap: 5 });
    expect([overlay.width, overlay.channels]).toEqual([130, 3]);
    const band = overlay.height - 30;
    const at = (x: number, y: number) =>
      Array.from(overlay.data.subarray((y * 130 + x) * 3, (y * 130 + x) * 3 + 3));
    expect(at(7, band + 9)).toEqual(
      Array.from(image.data.subarray((9 * 40 + 7) * 3, (9 * 40 + 7) * 3 + 3)),
    );
    expect(at(45 + 7, band + 9)).toEqual([0, 1, 2].map(() => truth.data[9 * 40 + 7]!));
    expect(at(90 + 7, band + 9)).toEqual([0, 1, 2].map(() => predicted.data[9 * 40 + 7]!));
    expect(() => renderOverlay(image, seededImage(10, 10), truth)).toThrow(
      /'predicted mask' is 10x10, the image 40x30/,
    );
  });
});
