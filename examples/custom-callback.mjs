// Custom callbacks for @unet/train's train() (they work with model.fit / fitDataset too):
// - StopAtDice stops when the validation Dice stays above a target; it is stateful, so a run
//   resumed with `resume: true` remembers how many epochs were already above it;
// - PredictionSnapshots writes `image | true mask | prediction` PNGs of one sample as it trains.
//   node custom-callback.mjs
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { diceCoefficient, diceLoss } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { readCheckpointState, resolveLogs, train, writeOverlay } from '@unet/train';
import { diskTensors } from './toy-data.mjs';

/** Stops training once `monitor` has been >= `target` for `patience` epochs in a row. */
class StopAtDice extends tf.Callback {
  stateKey = 'stopAtDice'; // StatefulCallback: stateKey, getState(), setState()
  hits = 0;

  constructor({ target, patience = 2, monitor = 'val_diceCoefficient' }) {
    super();
    Object.assign(this, { target, patience, monitor });
  }

  async onEpochEnd(epoch, logs) {
    const values = await resolveLogs(logs); // tfjs hands scalars; this reads them (in place)
    this.hits = values[this.monitor] >= this.target ? this.hits + 1 : 0;
    if (this.hits >= this.patience) {
      console.log(
        `epoch ${epoch + 1}: ${this.monitor} >= ${this.target} for ${this.hits} epochs, stopping`,
      );
      this.model.stopTraining = true; // train() then ends with stopReason 'stopped'
    }
  }

  getState() {
    return { hits: this.hits };
  }

  setState(state) {
    this.hits = Number(state.hits ?? 0);
  }
}

/** Every `every` epochs, writes an overlay of `sample` with the current prediction. */
class PredictionSnapshots extends tf.Callback {
  constructor({ x, y, dir, every = 5 }) {
    super();
    Object.assign(this, { x, y, dir, every });
  }

  async onEpochEnd(epoch) {
    if ((epoch + 1) % this.every !== 0) return;
    const [, height, width] = this.x.shape;
    const raster = (t) => ({ data: t.dataSync(), width, height, channels: 1 });
    const predicted = tf.tidy(() => this.model.predict(this.x).greater(0.5).cast('float32'));
    const file = path.join(this.dir, `epoch-${String(epoch + 1).padStart(3, '0')}.png`);
    await writeOverlay(file, raster(this.x), raster(predicted), raster(this.y));
    predicted.dispose();
    console.log(`wrote ${file}`);
  }
}

await initBackend();
const { x, y } = diskTensors(80, 32);
const sample = { x: x.slice([0], [1]), y: y.slice([0], [1]) };
const outDir = path.join(os.tmpdir(), 'unet-example-custom-callback');

const result = await train({
  model: buildUnet({ inputShape: [32, 32, 1], depth: 2, filters: 8 }),
  x,
  y,
  validationSplit: 0.2,
  loss: diceLoss,
  metrics: [diceCoefficient],
  epochs: 40,
  batchSize: 8,
  learningRate: 5e-3,
  outDir,
  progress: false,
  callbacks: [
    new StopAtDice({ target: 0.9, patience: 2 }),
    new PredictionSnapshots({ ...sample, dir: path.join(outDir, 'snapshots'), every: 3 }),
  ],
});
console.log(`${result.stopReason} after ${result.epoch.length} epochs`);
const state = await readCheckpointState(path.join(outDir, 'last'));
console.log('saved callback state', state?.callbacks?.stopAtDice);
