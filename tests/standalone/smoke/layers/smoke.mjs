// Smoke test of @unet/layers from an ES module, run in a fresh project that installed the packed
// tarball with @tensorflow/tfjs only (pure-JavaScript cpu backend).
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildUnet, resolveUnetConfig, summarizeUnet, UnetConfigError } from '@unet/layers';

await tf.setBackend('cpu');
await tf.ready();

// The DSB2018 article's model at 32x32: a fully convolutional net keeps its 1,400,033 parameters
// at any input size (the count its Keras model.summary() prints at 128x128).
const model = buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3] });
assert.deepEqual(model.outputs[0].shape, [null, 32, 32, 1]);
assert.equal(model.countParams(), 1_400_033);
const summary = summarizeUnet(model);
assert.equal(summary.totalParams, 1_400_033);
assert.equal(summary.nonTrainableParams, 1_952);

const before = tf.memory().numTensors;
const x = tf.randomUniform([2, 32, 32, 3]);
const y = model.predict(x);
assert.deepEqual(y.shape, [2, 32, 32, 1]);
const values = y.dataSync();
assert.ok(
  values.every((v) => v >= 0 && v <= 1),
  'sigmoid output out of [0, 1]',
);
tf.dispose([x, y]);
assert.equal(tf.memory().numTensors, before, 'predict leaked tensors');
model.dispose();

// A small custom config: depth 2, 4 filters doubling per level.
const small = buildUnet({ inputShape: [16, 16, 1], depth: 2, filters: 4, numClasses: 3 });
assert.deepEqual(small.outputs[0].shape, [null, 16, 16, 3]);
// Each convolution as [kernel, in, out]: enc1 (1->4, 4->4), enc2 (4->8, 8->8), bottleneck
// (8->16, 16->16), dec2 up 16->8 + convs (16->8, 8->8), dec1 up 8->4 + convs (8->4, 4->4), head.
const convs = [
  [3, 1, 4],
  [3, 4, 4],
  [3, 4, 8],
  [3, 8, 8],
  [3, 8, 16],
  [3, 16, 16],
  [2, 16, 8],
  [3, 16, 8],
  [3, 8, 8],
  [2, 8, 4],
  [3, 8, 4],
  [3, 4, 4],
  [1, 4, 3],
];
const expected = convs.reduce((sum, [k, cin, cout]) => sum + k * k * cin * cout + cout, 0);
assert.equal(small.countParams(), expected);
small.dispose();

// Bad configs throw a UnetConfigError that says what to change.
assert.throws(
  () => resolveUnetConfig({ inputShape: [100, 100, 3] }),
  (error) => error instanceof UnetConfigError && /96 or 112/.test(error.message),
);

console.log('smoke ok: @unet/layers');
