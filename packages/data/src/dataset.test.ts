import '@tensorflow/tfjs-node';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { listImageFolder, type Sample, toTfDataset } from '@unet/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { box, makeTempDir, removeDir, writePng } from './test-support.js';

function makeSample(id: string, width = 16, height = 16, channels = 3): Sample {
  const image = new Float32Array(width * height * channels);
  const mask = new Float32Array(width * height);
  const n = Number(id.replace(/\D/g, '')) || 0;
  for (let i = 0; i < width * height; i++) {
    const inside = i % width < width / 2 ? 1 : 0;
    mask[i] = inside;
    // channel 0 = sample number / 100 (to recognise it in a batch), last channel = mask
    image[i * channels] = n / 100;
    image[i * channels + channels - 1] = inside;
  }
  return {
    id,
    image: { data: image, width, height, channels },
    mask: { data: mask, width, height, channels: 1 },
    originalSize: { width, height },
    files: [],
  };
}

async function collect(dataset: tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor4D }>) {
  const batches: { shape: number[]; ids: number[]; consistent: boolean; binary: boolean }[] = [];
  await dataset.forEachAsync(({ xs, ys }) => {
    const [b, h, w, c] = xs.shape;
    const x = xs.dataSync();
    const y = ys.dataSync();
    const ids: number[] = [];
    let consistent = true;
    let binary = true;
    for (let k = 0; k < b; k++) {
      ids.push(Math.round(x[k * h * w * c]! * 100));
      for (let p = 0; p < h * w; p++) {
        const label = y[k * h * w + p]!;
        if (label !== 0 && label !== 1) binary = false;
        if (x[(k * h * w + p) * c + c - 1] !== label) consistent = false;
      }
    }
    batches.push({ shape: [...xs.shape, ...ys.shape], ids, consistent, binary });
    tf.dispose([xs, ys]);
  });
  return batches;
}

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

describe('toTfDataset', () => {
  const samples = Array.from({ length: 10 }, (_, i) => makeSample(`s${i}`));

  it('yields {xs: [B,H,W,C], ys: [B,H,W,1]} batches with a short last batch', async () => {
    const dataset = toTfDataset(samples, { batchSize: 4, shuffle: false });
    expect(dataset.size).toBe(3);
    const batches = await collect(dataset);
    expect(batches.map((b) => b.shape)).toEqual([
      [4, 16, 16, 3, 4, 16, 16, 1],
      [4, 16, 16, 3, 4, 16, 16, 1],
      [2, 16, 16, 3, 2, 16, 16, 1],
    ]);
    expect(batches.flatMap((b) => b.ids)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dropped = await collect(toTfDataset(samples, { batchSize: 4, dropRemainder: true }));
    expect(dropped).toHaveLength(2);
  });

  it('reshuffles every epoch, reproducibly from the seed', async () => {
    const dataset = toTfDataset(samples, { batchSize: 5, seed: 3 });
    const epoch1 = (await collect(dataset)).flatMap((b) => b.ids);
    const epoch2 = (await collect(dataset)).flatMap((b) => b.ids);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch2);
    const again = toTfDataset(samples, { batchSize: 5, seed: 3 });
    expect((await collect(again)).flatMap((b) => b.ids)).toEqual(epoch1);
  });

  it('setEpoch(e) starts at epoch e: a resumed run draws what an unbroken one draws', async () => {
    const augment = { flipHorizontal: true, flipVertical: true, rotate90: true };
    const unbroken = toTfDataset(samples, { batchSize: 5, seed: 3, augment });
    await collect(unbroken);
    const second = await collect(unbroken);
    const resumed = toTfDataset(samples, { batchSize: 5, seed: 3, augment });
    resumed.setEpoch(1);
    const pixels = async (d: typeof unbroken) => {
      const out: number[] = [];
      await d.forEachAsync((b) => {
        out.push(...b.xs.dataSync());
        tf.dispose([b.xs, b.ys]);
      });
      return out;
    };
    expect((await collect(resumed)).map((b) => b.ids)).toEqual(second.map((b) => b.ids));
    const a = toTfDataset(samples, { batchSize: 5, seed: 3, augment });
    a.setEpoch(4);
    const b = toTfDataset(samples, { batchSize: 5, seed: 3, augment });
    for (let e = 0; e < 4; e++) await collect(b);
    expect(await pixels(a)).toEqual(await pixels(b));
    expect(() => resumed.setEpoch(-1)).toThrow(/non-negative integer/);
  });

  it('augments image and mask together and keeps masks binary', async () => {
    const batches = await collect(
      toTfDataset(samples, { batchSize: 5, augment: { elastic: { probability: 1 } } }),
    );
    expect(batches.every((b) => b.binary)).toBe(true);
    // the mask copy in the last image channel went through bilinear sampling: compare loosely
    const flips = await collect(toTfDataset(samples, { batchSize: 5, augment: true }));
    expect(flips.every((b) => b.consistent && b.binary)).toBe(true);
  });

  it('leaves no tensors behind (full epochs, and a consumer that stops early)', async () => {
    const before = tf.memory().numTensors;
    const dataset = toTfDataset(samples, { batchSize: 3, augment: true, prefetch: 3 });
    await collect(dataset);
    const iterator = await dataset.iterator();
    const first = await iterator.next();
    tf.dispose(first.value);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('decodes lazy references while iterating (prefetch overlaps the consumer)', async () => {
    const dir = await makeTempDir('dataset-');
    try {
      for (let i = 0; i < 6; i++) {
        await writePng(path.join(dir, 'images', `${i}.png`), 20, 12, 3, () => i * 10);
        await writePng(path.join(dir, 'masks', `${i}.png`), 20, 12, 1, box(0, 0, 10, 12));
      }
      const refs = await listImageFolder(dir, { size: 8, cache: false });
      const dataset = toTfDataset(refs, { batchSize: 4, shuffle: false, prefetch: 2 });
      const iterator = await dataset.iterator();
      const first = await iterator.next();
      // the generator has already been asked for the next batch: more than 4 samples decoded
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(refs[0]!.stats.cacheMisses).toBe(6);
      expect((first.value as { xs: tf.Tensor }).xs.shape).toEqual([4, 8, 8, 3]);
      tf.dispose(first.value);
      const second = await iterator.next();
      expect((second.value as { xs: tf.Tensor }).xs.shape).toEqual([2, 8, 8, 3]);
      tf.dispose(second.value);
    } finally {
      await removeDir(dir);
    }
  });

  it('explains what is wrong with unbatchable samples', () => {
    expect(() => toTfDataset([makeSample('a'), makeSample('b', 8, 8)], { batchSize: 2 })).toThrow(
      /sample "b" is 8x8x3 but earlier samples are 16x16x3; load with a fixed `size`/,
    );
    const noMask = { ...makeSample('c'), mask: undefined };
    expect(() => toTfDataset([noMask], { batchSize: 1 })).toThrow(/sample "c" .* has no mask/);
    expect(() => toTfDataset([], { batchSize: 1 })).toThrow(/no samples/);
    expect(() => toTfDataset(samples, { batchSize: 0 })).toThrow(/batchSize/);
  });

  it('trains a tiny model with fitDataset', async () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [16, 16, 3],
          filters: 1,
          kernelSize: 1,
          activation: 'sigmoid',
        }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const history = await model.fitDataset(toTfDataset(samples, { batchSize: 4, augment: true }), {
      epochs: 2,
      verbose: 0,
    });
    expect(history.history.loss).toHaveLength(2);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
