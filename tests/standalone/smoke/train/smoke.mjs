// Smoke test of @unet/train from an ES module, run in a fresh project that installed the packed
// tarballs (train, layers, losses, data) with @tensorflow/tfjs only: no native engine, so the
// pure-JavaScript cpu backend trains a tiny U-Net for two epochs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { diceCoefficient, diceLoss } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { loadModel, train } from '@unet/train';

const lines = [];
assert.equal(await initBackend('cpu', { log: (line) => lines.push(line) }), 'cpu');
assert.match(lines.join('\n'), /backend: cpu/);

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-train-smoke-'));
try {
  const model = buildUnet({ inputShape: [16, 16, 1], depth: 2, filters: 4 });
  const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 1);
  const y = tf.cast(tf.greater(x, 0.5), 'float32');
  const result = await train({
    model,
    x,
    y,
    loss: diceLoss,
    metrics: [diceCoefficient],
    epochs: 2,
    batchSize: 2,
    seed: 1,
    outDir,
    progress: false,
    log: (line) => lines.push(line),
  });
  assert.deepEqual(result.epoch, [0, 1]);
  assert.equal(result.stopReason, 'completed');
  assert.equal(result.history.loss.length, 2);
  assert.ok(result.history.loss.every(Number.isFinite), `loss: ${result.history.loss}`);
  assert.ok(
    result.history.loss.every((v) => v >= 0 && v <= 1),
    `dice loss out of [0, 1]`,
  );
  assert.equal(result.history.diceCoefficient.length, 2);

  // The run folder holds a loadable best checkpoint and the resume checkpoint.
  for (const file of ['best/model.json', 'last/model.json', 'last/state.json', 'log.csv']) {
    assert.ok(fs.existsSync(path.join(outDir, file)), `missing ${file}`);
  }
  const restored = await loadModel(path.join(outDir, 'best'));
  const before = tf.memory().numTensors;
  const prediction = restored.predict(x);
  assert.deepEqual(prediction.shape, [4, 16, 16, 1]);
  prediction.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y]);
  model.dispose();
  restored.dispose();
} finally {
  fs.rmSync(outDir, { recursive: true, force: true });
}

console.log('smoke ok: @unet/train');
