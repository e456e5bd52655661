// Train with the custom loss, compiled by name, and save the model with its optimizer state.
//   node custom-loss/train.mjs [outDir]
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { compileWithNamedLosses } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { diskTensors } from '../toy-data.mjs';
import './focal-tversky.mjs'; // registers 'focalTversky'

const outDir = path.resolve(process.argv[2] ?? path.join(os.tmpdir(), 'unet-example-custom-loss'));
await initBackend(); // tensorflow with @tensorflow/tfjs-node (needed for file:// below)

const { x, y } = diskTensors(64, 32);
const model = buildUnet({ inputShape: [32, 32, 1], depth: 2, filters: 8 });
compileWithNamedLosses(model, {
  optimizer: tf.train.adam(3e-3),
  loss: 'focalTversky', // the registered name is stored in model.json
  metrics: ['diceCoefficient'],
});
const { history } = await model.fit(x, y, { epochs: 15, batchSize: 8, verbose: 0 });
const last = history.loss.length - 1;
console.log(
  `loss ${history.loss[0].toFixed(3)} -> ${history.loss[last].toFixed(3)}, dice ${history.diceCoefficient[last].toFixed(3)}`,
);

await model.save(`file://${outDir}`, { includeOptimizer: true });
console.log(`saved to ${outDir}`);
