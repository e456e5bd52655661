// Smoke test of @unet/infer from an ES module, in a fresh project with @tensorflow/tfjs only: the
// pure-JavaScript cpu backend, as in a browser without WebGL.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  evaluateMasks,
  labelComponents,
  predictProbability,
  resizeBilinear,
  thresholdRaster,
} from '@unet/infer';

await tf.setBackend('cpu');
await tf.ready();

// A 1x1 convolution with weight 1: the model's output is its input.
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({
      inputShape: [16, 16, 1],
      filters: 1,
      kernelSize: 1,
      kernelInitializer: 'ones',
      useBias: false,
    }),
  ],
});
const image = { data: new Float32Array(40 * 30), width: 40, height: 30, channels: 1 };
for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) image.data[y * 40 + x] = x < 20 ? 0 : 1;
const before = tf.memory().numTensors;
const probability = await predictProbability(model, image);
assert.equal(tf.memory().numTensors, before);
assert.deepEqual([probability.width, probability.height, probability.channels], [40, 30, 1]);
const mask = thresholdRaster(probability, 0.5);
const report = evaluateMasks([{ name: 'half', predicted: mask, truth: image }]);
assert.ok(report.overall.dice > 0.95, `dice ${report.overall.dice}`);
assert.equal(labelComponents(mask.data, 40, 30).count, 1);
assert.equal(resizeBilinear(image, 20, 15).data.length, 300);
model.dispose();

console.log('smoke ok: @unet/infer');
