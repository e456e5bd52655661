// Smoke test of @unet/runtime from an ES module, in a fresh project with @tensorflow/tfjs only (no
// native engine): the backend falls back to cpu, the fast paths say why they stay off, and the
// flat Adam optimizer trains.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, enableFastPaths, FlatAdamOptimizer, initBackend } from '@unet/runtime';

const lines = [];
assert.equal(await initBackend('cpu', { log: (line) => lines.push(line) }), 'cpu');
assert.match(lines.join('\n'), /backend: cpu/);
const report = enableFastPaths({ log: (line) => lines.push(line), warn: () => {} });
assert.equal(report.enabled, false);
assert.match(report.reason, /no native fast paths/);

const optimizer = createOptimizer('adam', 0.1);
assert.ok(optimizer instanceof FlatAdamOptimizer);
const w = tf.variable(tf.scalar(3));
for (let i = 0; i < 20; i++) optimizer.minimize(() => w.square());
assert.ok(Math.abs(w.dataSync()[0]) < 3, `w ${w.dataSync()[0]}`);
optimizer.dispose();
w.dispose();

console.log('smoke ok: @unet/runtime');
