// Resident memory of one compiled run, phase by phase (VmRSS now, VmHWM the peak so far), with
// V8's ArrayBuffer total: where `pnpm bench`'s peak RSS comes from, and whether JavaScript
// copies of tensors pile up. Same flow as tfjs-throughput.mjs: steps, sync, compiled predict.
//   node src/memory-phases.mjs --model paper --size 256 --batch-size 4 --compile bf16
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { compilePredict, compileTrainStep, createOptimizer } from '@unet/runtime';
import { fixedBatch, startNativeBackend } from './native-setup.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'paper' },
    size: { type: 'string', default: '256' },
    'batch-size': { type: 'string', default: '4' },
    compile: { type: 'string', default: 'bf16' },
    steps: { type: 'string', default: '6' },
    'infer-batches': { type: 'string', default: '4' },
  },
});
const size = Number(values.size);
const batch = Number(values['batch-size']);

const gb = (status, key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1]) / 1024 ** 2;
const phases = [];
function phase(name) {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const row = {
    phase: name,
    rss_gb: +gb(status, 'VmRSS').toFixed(2),
    peak_gb: +gb(status, 'VmHWM').toFixed(2),
    js_array_buffers_mb: Math.round(process.memoryUsage().arrayBuffers / 1e6),
    tensors: tf.memory().numTensors,
  };
  phases.push(row);
  console.error(JSON.stringify(row));
}

await startNativeBackend();
phase('start');
const model = buildUnet({ preset: values.model, inputShape: [size, size, 3] });
model.compile({
  optimizer: createOptimizer('adam', 1e-3, { compiled: true }),
  loss: 'binaryCrossentropy',
});
const { x, y } = fixedBatch(batch, size);
phase('built');
const options = { precision: values.compile, log: () => {} };
const step = compileTrainStep(model, options);
for (let i = 0; i < Number(values.steps); i++) {
  step.trainOnBatch(x, y);
  phase(`step ${i + 1}`);
}
step.sync();
phase('synced');
const infer = compilePredict(model, options);
for (let i = 0; i < Number(values['infer-batches']); i++) {
  tf.tidy(() => infer.predict(x).dataSync());
  phase(`predict ${i + 1}`);
}
const fallback = step.fallbackReason ?? infer.fallbackReason;
infer.dispose();
step.dispose();
console.log(
  JSON.stringify({
    model: values.model,
    size,
    batch_size: batch,
    compile: values.compile,
    fallback,
    peak_gb: phases.at(-1).peak_gb,
    phases,
  }),
);
