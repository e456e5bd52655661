// Smoke test of @unet/losses from an ES module, run in a fresh project that installed the packed
// tarball with @tensorflow/tfjs only (pure-JavaScript cpu backend).
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  binaryCrossentropy,
  compileWithNamedLosses,
  diceCoefficient,
  diceLoss,
  getLoss,
  iouScore,
  listLosses,
  loadModelWithLosses,
  lossNamesOf,
  registerLoss,
} from '@unet/losses';

await tf.setBackend('cpu');
await tf.ready();

const close = (actual, expected, what) =>
  assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: got ${actual}, expected ${expected}`);
const value = (scalar) => {
  const v = scalar.dataSync()[0];
  scalar.dispose();
  return v;
};

// Hand-computed on a 2x2 mask: sum(t) = 2, sum(p) = 1.8, sum(t p) = 0.9 + 0.6 = 1.5.
const t = [1, 0, 1, 0];
const p = [0.9, 0.2, 0.6, 0.1];
const yTrue = tf.tensor4d(t, [1, 2, 2, 1]);
const yPred = tf.tensor4d(p, [1, 2, 2, 1]);
const before = tf.memory().numTensors;

close(value(diceLoss(yTrue, yPred)), 1 - (2 * 1.5 + 1) / (2 + 1.8 + 1), 'diceLoss');
close(value(iouScore(yTrue, yPred)), (1.5 + 1) / (2 + 1.8 - 1.5 + 1), 'iouScore');
close(value(diceCoefficient(yTrue, yPred, { threshold: 0.5 })), 1, 'thresholded Dice');
const bce =
  -t.reduce((sum, ti, i) => sum + ti * Math.log(p[i]) + (1 - ti) * Math.log(1 - p[i]), 0) / 4;
close(value(binaryCrossentropy(yTrue, yPred)), bce, 'binaryCrossentropy');
assert.equal(tf.memory().numTensors, before, 'the losses leaked tensors');

// Built-ins are registered by importing the package; unknown names get a suggestion.
assert.equal(getLoss('diceLoss'), diceLoss);
assert.ok(listLosses().includes('bceDiceLoss'));
assert.throws(() => getLoss('dice_loss'), /Did you mean 'diceLoss'/);

// A custom loss, registered by name, survives save and load.
const meanAbsolute = (a, b) => tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))));
registerLoss('smokeMeanAbsolute', meanAbsolute);
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [2, 2, 1], filters: 1, kernelSize: 1, activation: 'sigmoid' }),
  ],
});
compileWithNamedLosses(model, {
  optimizer: 'sgd',
  loss: 'smokeMeanAbsolute',
  metrics: ['diceCoefficient'],
});
await model.fit(yTrue, yTrue, { epochs: 1, verbose: 0 });
let artifacts;
await model.save(
  tf.io.withSaveHandler(async (saved) => {
    artifacts = saved;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const restored = await loadModelWithLosses(tf.io.fromMemory(artifacts));
assert.deepEqual(lossNamesOf(restored), {
  loss: 'smokeMeanAbsolute',
  metrics: ['diceCoefficient'],
});
const [lossBefore] = model.evaluate(yTrue, yPred).map((s) => value(s));
const [lossAfter] = restored.evaluate(yTrue, yPred).map((s) => value(s));
close(lossAfter, lossBefore, 'loss of the restored model');
const expectedLoss = value(tf.tidy(() => meanAbsolute(yPred, model.predict(yTrue))));
close(lossBefore, expectedLoss, 'the registered loss is the one compiled');

console.log('smoke ok: @unet/losses');
