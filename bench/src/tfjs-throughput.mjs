// One tfjs-node measurement in its own process (so peak RSS is its own), mirroring
// keras/throughput.py: same preset, size, batch, random data, warm-up and step counts.
// Prints one JSON line on stdout.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { createOptimizer, enableFastPaths, initBackend, nativeKernelSupport } from '@unet/runtime';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'dsb2018' },
    size: { type: 'string', default: '128' },
    'batch-size': { type: 'string', default: '16' },
    'warmup-steps': { type: 'string', default: '2' },
    steps: { type: 'string', default: '10' },
    'infer-batches': { type: 'string', default: '10' },
  },
});
const size = Number(values.size);
const batch = Number(values['batch-size']);

await initBackend('tensorflow', { log: () => {}, warn: (l) => console.error(l) });
enableFastPaths({ log: () => {}, warn: (l) => console.error(l) });
const model = buildUnet({ preset: values.model, inputShape: [size, size, 3] });
// The toolkit's Adam (createOptimizer, as train() and the apps use); plain tfjs for the baseline.
const baseline = process.env.UNET_NATIVE_KERNELS === '0';
const optimizer = baseline ? tf.train.adam(1e-3) : createOptimizer('adam', 1e-3);
model.compile({ optimizer, loss: 'binaryCrossentropy' });

// Fixed pseudo-random data (the values do not matter for speed, only shapes and dtypes).
const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 0);
const y = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1).greater(0.5).toFloat();

for (let i = 0; i < Number(values['warmup-steps']); i++) await model.trainOnBatch(x, y);
const steps = Number(values.steps);
let start = process.hrtime.bigint();
for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
const trainSeconds = Number(process.hrtime.bigint() - start) / 1e9;

tf.tidy(() => model.predictOnBatch(x)).dispose(); // warm the inference path
const inferBatches = Number(values['infer-batches']);
start = process.hrtime.bigint();
for (let i = 0; i < inferBatches; i++) {
  const out = model.predictOnBatch(x);
  await out.data(); // wait for the result, as Keras's predict_on_batch returns numpy
  out.dispose();
}
const inferSeconds = Number(process.hrtime.bigint() - start) / 1e9;

console.log(
  JSON.stringify({
    framework: 'tfjs-node',
    model: values.model,
    size,
    batch_size: batch,
    train_images_per_s: (steps * batch) / trainSeconds,
    infer_images_per_s: (inferBatches * batch) / inferSeconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    tfjs_version: tf.version.tfjs,
    params: model.countParams(),
    native_kernels: baseline ? 'off' : nativeKernelSupport(),
    optimizer: optimizer.constructor.name,
  }),
);
