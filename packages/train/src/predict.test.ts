import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom, decodeImage, encodePng, type RasterImage } from '@unet/data';
import { evaluate, predict, renderCurves, renderOverlay, writeCurves } from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useTensorflow } from './test-helpers.js';

beforeAll(useTensorflow);

/** Values in [0, 1) from the project's seeded generator. */
function seededImage(width: number, height: number, channels = 1, seed = 1): RasterImage {
  const random = createRandom(seed);
  const data = Float32Array.from({ length: width * height * channels }, random);
  return { data, width, height, channels };
}

/** Output = input, any spatial size: predictions are the images themselves. */
function identity(): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.activation({ activation: 'linear', inputShape: [null, null, 1] })],
  });
}

describe('predict', () => {
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

  /** Dark pixels (text ink) in a window: how many, and their leftmost and rightmost column. */
  function inkColumns(image: RasterImage, x0: number, x1: number, y0: number, y1: number) {
    let count = 0;
    let left = Number.POSITIVE_INFINITY;
    let right = Number.NEGATIVE_INFINITY;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * image.width + x) * 3;
        if (image.data[i]! < 0.4 && image.data[i + 1]! < 0.4 && image.data[i + 2]! < 0.4) {
          count++;
          left = Math.min(left, x);
          right = Math.max(right, x);
        }
      }
    }
    return { count, left, right };
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
    const image = await renderCurves(history);
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
    // Real type: the panel title 'loss' is set in dark ink at the top left, in glyphs wider
    // than the 5x7 bitmap font this replaced.
    const ink = inkColumns(image, 72, 160, 4, 30);
    expect(ink.count).toBeGreaterThan(40);
    expect(ink.right - ink.left).toBeGreaterThan(20);
  });

  it('places image | true mask | predicted mask side by side below their titles', async () => {
    const image = seededImage(40, 30, 3, 2);
    const truth = { ...seededImage(40, 30, 1, 3) };
    const predicted = { ...seededImage(40, 30, 1, 4) };
    const overlay = await renderOverlay(image, predicted, truth, { gap: 5 });
    expect([overlay.width, overlay.channels]).toEqual([130, 3]);
    const band = overlay.height - 30;
    const at = (x: number, y: number) =>
      Array.from(overlay.data.subarray((y * 130 + x) * 3, (y * 130 + x) * 3 + 3));
    // Pixels pass through 8 bits (the PNG the overlay becomes anyway).
    const close = (a: number[], b: number[]) => {
      for (const [k, v] of a.entries()) {
        expect(Math.abs(v - b[k]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
      }
    };
    close(at(7, band + 9), Array.from(image.data.subarray((9 * 40 + 7) * 3, (9 * 40 + 7) * 3 + 3)));
    close(
      at(45 + 7, band + 9),
      [0, 1, 2].map(() => truth.data[9 * 40 + 7]!),
    );
    close(
      at(90 + 7, band + 9),
      [0, 1, 2].map(() => predicted.data[9 * 40 + 7]!),
    );
    // Each panel's title is set above it, centred: ink in the band over every panel.
    for (const left of [0, 45, 90]) {
      const ink = inkColumns(overlay, left, left + 40, 0, band);
      expect(ink.count, `title over the panel at x=${left}`).toBeGreaterThan(10);
      expect(ink.left + ink.right).toBeGreaterThan(2 * left + 40 - 16);
      expect(ink.left + ink.right).toBeLessThan(2 * left + 40 + 16);
    }
    await expect(renderOverlay(image, seededImage(10, 10), truth)).rejects.toThrow(
      /'predicted mask' is 10x10, the image 40x30/,
    );
  });
});
