// A new process: load the model saved by train.mjs, compiled again with the same (custom) loss,
// metrics and Adam state, and keep training.
//   node custom-loss/resume.mjs [outDir]
import os from 'node:os';
import path from 'node:path';
import { loadModelWithLosses, lossNamesOf } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { diskTensors } from '../toy-data.mjs';
import './focal-tversky.mjs'; // without it: "Unknown loss 'focalTversky'" with a fix-it hint

const outDir = path.resolve(process.argv[2] ?? path.join(os.tmpdir(), 'unet-example-custom-loss'));
await initBackend();

const model = await loadModelWithLosses(`file://${outDir}/model.json`);
console.log('compiled with', lossNamesOf(model)); // { loss: 'focalTversky', metrics: [...] }

const { x, y } = diskTensors(64, 32); // the same data as train.mjs
const { history } = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
const last = history.loss.length - 1;
console.log(
  `loss ${history.loss[0].toFixed(3)} -> ${history.loss[last].toFixed(3)}, dice ${history.diceCoefficient[last].toFixed(3)}`,
);
