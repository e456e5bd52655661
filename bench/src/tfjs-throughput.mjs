// One tfjs-node measurement in its own process (so peak RSS is its own), mirroring
// keras/throughput.py: same preset, size, batch, random data, warm-up and step counts.
// Prints one JSON line on stdout. `--compile fp32|bf16` times the compiled training step and
// forward pass (compileTrainStep, compilePredict: what the apps run on tensorflow); `off` times
// tfjs's own trainOnBatch / predictOnBatch (eager).
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import {
  compilePredict,
  compileTrainStep,
  createOptimizer,
  nativeKernelSupport,
} from '@unet/runtime';
import { fixedBatch, startNativeBackend } from './native-setup.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'dsb2018' },
    size: { type: 'string', default: '128' },
    'batch-size': { type: 'string', default: '16' },
    'warmup-steps': { type: 'string', default: '2' },
    steps: { type: 'string', default: '10' },
    'infer-batches': { type: 'string', default: '10' },
    // As keras/throughput.py's --infer-warmup: untimed inference batches first (the first also
    // compiles the predict graph).
    'infer-warmup': { type: 'string', default: '2' },
    compile: { type: 'string', default: 'off' },
  },
});
const compile = values.compile;
if (!['off', 'fp32', 'bf16'].includes(compile))
  throw new Error(`--compile must be off, fp32 or bf16, got '${compile}'`);
const size = Number(values.size);
const batch = Number(values['batch-size']);

await startNativeBackend();
const model = buildUnet({ preset: values.model, inputShape: [size, size, 3] });
// The toolkit's Adam (createOptimizer, as train() and the apps use); plain tfjs for the baseline.
const baseline = process.env.UNET_NATIVE_KERNELS === '0';
const optimizer = baseline
  ? tf.train.adam(1e-3)
  : createOptimizer('adam', 1e-3, { compiled: compile !== 'off' });
model.compile({ optimizer, loss: 'binaryCrossentropy' });

const { x, y } = fixedBatch(batch, size);

const log = (l) => console.error(l);
let fallback = null;
let trainStep;
let predictBatch;
let finish = () => {};
if (compile === 'off') {
  trainStep = () => model.trainOnBatch(x, y);
  predictBatch = () => model.predictOnBatch(x);
} else {
  const options = { precision: compile, log };
  const step = compileTrainStep(model, options);
  // Returns the loss as numbers: the step has finished, as with trainOnBatch's await.
  trainStep = async () => step.trainOnBatch(x, y);
  let infer = null;
  predictBatch = () => {
    // Compiled after training, as the apps predict after fit.
    if (infer === null) {
      step.sync();
      infer = compilePredict(model, options);
    }
    return infer.predict(x);
  };
  finish = () => {
    fallback = step.fallbackReason ?? infer?.fallbackReason ?? null;
    infer?.dispose();
    step.dispose();
  };
}

// A compiled step runs its first step eagerly (optimizer state) and records the second.
const warmup = Math.max(Number(values['warmup-steps']), compile === 'off' ? 1 : 3);
for (let i = 0; i < warmup; i++) await trainStep();
const steps = Number(values.steps);
let start = process.hrtime.bigint();
for (let i = 0; i < steps; i++) await trainStep();
const trainSeconds = Number(process.hrtime.bigint() - start) / 1e9;

// Warm the inference path (the first call builds the compiled graph).
const inferWarmup = Math.max(Number(values['infer-warmup']), 1);
for (let i = 0; i < inferWarmup; i++) tf.tidy(() => predictBatch()).dispose();
const inferBatches = Number(values['infer-batches']);
start = process.hrtime.bigint();
for (let i = 0; i < inferBatches; i++) {
  const out = predictBatch();
  await out.data(); // wait for the result, as Keras's predict_on_batch returns numpy
  out.dispose();
}
const inferSeconds = Number(process.hrtime.bigint() - start) / 1e9;
finish();

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
    compile,
    compile_fallback: fallback,
    warmup_steps: warmup,
    steps,
    infer_batches: inferBatches,
    infer_warmup: inferWarmup,
  }),
);
