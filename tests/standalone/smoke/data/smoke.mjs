// Smoke test of @unet/data from an ES module, run in a fresh project that installed the packed
// tarball (with its sharp dependency) and @tensorflow/tfjs only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  DataFileError,
  decodeImage,
  encodePng,
  listImageFolder,
  readImageFolder,
  toTfDataset,
} from '@unet/data';

await tf.setBackend('cpu');
await tf.ready();

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-data-smoke-'));
try {
  // A 5x4 RGB image whose values are exact 8-bit levels, and a mask with a 2x2 square.
  const width = 5;
  const height = 4;
  const image = { data: new Float32Array(width * height * 3), width, height, channels: 3 };
  for (let i = 0; i < image.data.length; i++) image.data[i] = ((i * 7) % 256) / 255;
  const mask = { data: new Float32Array(width * height), width, height, channels: 1 };
  for (const [x, y] of [
    [1, 1],
    [2, 1],
    [1, 2],
    [2, 2],
  ])
    mask.data[y * width + x] = 1;
  await encodePng(path.join(root, 'images', 'cell.png'), image);
  await encodePng(path.join(root, 'masks', 'cell.png'), mask);

  const decoded = await decodeImage(path.join(root, 'images', 'cell.png'));
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [5, 4, 3]);
  assert.deepEqual(Array.from(decoded.data), Array.from(image.data));

  const { samples, skipped } = await readImageFolder(root, { cache: false, progress: false });
  assert.equal(skipped.length, 0);
  assert.deepEqual(
    samples.map((s) => s.id),
    ['cell'],
  );
  const [sample] = samples;
  assert.deepEqual(sample.originalSize, { width, height });
  assert.deepEqual([sample.image.width, sample.image.height, sample.image.channels], [5, 4, 3]);
  assert.deepEqual(Array.from(sample.image.data), Array.from(image.data));
  assert.deepEqual([sample.mask.width, sample.mask.height, sample.mask.channels], [5, 4, 1]);
  assert.deepEqual(Array.from(sample.mask.data), Array.from(mask.data));

  // Resized on read: 8x8 images and masks, masks still exactly 0 or 1.
  const resized = await readImageFolder(root, { size: 8, cache: false, progress: false });
  const big = resized.samples[0];
  assert.deepEqual(
    [big.image.width, big.image.height, big.mask.width, big.mask.height],
    [8, 8, 8, 8],
  );
  assert.ok(big.mask.data.every((v) => v === 0 || v === 1));
  assert.ok(big.mask.data.some((v) => v === 1));

  // Batches for tfjs: NHWC images and NHW1 masks.
  const refs = await listImageFolder(root, { size: 8, cache: false });
  const before = tf.memory().numTensors;
  const batches = await toTfDataset(refs, { batchSize: 1 }).toArray();
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].xs.shape, [1, 8, 8, 3]);
  assert.deepEqual(batches[0].ys.shape, [1, 8, 8, 1]);
  tf.dispose(batches);
  assert.equal(tf.memory().numTensors, before);

  // An image without its mask is an error naming the file, never an empty mask.
  await encodePng(path.join(root, 'images', 'orphan.png'), image);
  await assert.rejects(
    readImageFolder(root, { cache: false, progress: false }),
    (error) => error instanceof DataFileError && error.message.includes('orphan.png'),
  );
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}

console.log('smoke ok: @unet/data');
