// Where a tfjs-node training step or inference batch spends its time, kernel by kernel
// (tf.profile): totals per kernel name, then the costliest kernel calls with their shapes.
// Pair with keras/profile_ops.py for the same figures from TensorFlow's profiler.
//
//   node src/profile-kernels.mjs [--model dsb2018] [--size 128] [--batch-size 16] [--mode train|infer]
//
// Kernels that run other kernels (customGrad scopes, tfjs's fusedConv2d op) are counted with
// their inner kernels too, so the totals overlap; the individual calls do not.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { createOptimizer } from '@unet/runtime';
import { fixedBatch, startNativeBackend } from './native-setup.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'dsb2018' },
    size: { type: 'string', default: '128' },
    'batch-size': { type: 'string', default: '16' },
    mode: { type: 'string', default: 'train' },
    top: { type: 'string', default: '25' },
  },
});
const size = Number(values.size);
const batch = Number(values['batch-size']);
const top = Number(values.top);

await startNativeBackend();
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
const model = buildUnet({ preset: values.model, inputShape: [size, size, 3] });
model.compile({ optimizer: createOptimizer('adam', 1e-3), loss: 'binaryCrossentropy' });
const { x, y } = fixedBatch(batch, size);
const run =
  values.mode === 'train'
    ? async () => {
        await model.trainOnBatch(x, y);
      }
    : async () => {
        const out = model.predictOnBatch(x);
        await out.data();
        out.dispose();
      };

for (let i = 0; i < 2; i++) await run();
const start = performance.now();
for (let i = 0; i < 3; i++) await run();
const stepMs = (performance.now() - start) / 3;
const profile = await tf.profile(run);

const byName = new Map();
const byCall = new Map();
for (const k of profile.kernels) {
  const total = byName.get(k.name) ?? { calls: 0, ms: 0 };
  total.calls++;
  total.ms += k.kernelTimeMs;
  byName.set(k.name, total);
  const key = `${k.name} ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)}`;
  const call = byCall.get(key) ?? { calls: 0, ms: 0 };
  call.calls++;
  call.ms += k.kernelTimeMs;
  byCall.set(key, call);
}
const rows = (map) => [...map].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
console.log(
  `${values.model} @${size} batch ${batch} ${values.mode}: ${stepMs.toFixed(1)} ms per step unprofiled; ` +
    `${profile.kernels.length} kernel calls`,
);
console.log('kernel                          calls       ms');
for (const [name, t] of rows(byName)) {
  console.log(`${name.padEnd(30)} ${String(t.calls).padStart(6)} ${t.ms.toFixed(1).padStart(8)}`);
}
console.log('\ncostliest calls (ms, count, kernel inputs -> outputs)');
for (const [key, t] of rows(byCall)) {
  console.log(`${t.ms.toFixed(2).padStart(7)} ${String(t.calls).padStart(3)} ${key.slice(0, 160)}`);
}
