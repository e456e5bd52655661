// Eager vs compiled (fp32, bf16) training and inference throughput of the toolkit's U-Net presets,
// in one process with alternating rounds so machine noise hits every mode alike. Prints one JSON
// line per preset and mode (median of the rounds), in images per second, and the process's CPU
// time per image (user + system, all threads): on a shared machine the wall-clock figures move
// with other people's load, CPU time much less.
//   node src/compiled-step.mjs --models satellite,dsb2018 --size 128 --batch-size 16 --rounds 3 --steps 4
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { compilePredict, compileTrainStep, createOptimizer } from '@unet/runtime';
import { fixedBatch, startNativeBackend } from './native-setup.mjs';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'satellite,dsb2018' },
    modes: { type: 'string', default: 'eager,fp32,bf16' },
    size: { type: 'string', default: '128' },
    'batch-size': { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '4' },
    'infer-batches': { type: 'string', default: '4' },
    xla: { type: 'boolean', default: false },
  },
});
const size = Number(values.size);
const batch = Number(values['batch-size']);
const steps = Number(values.steps);
const inferBatches = Number(values['infer-batches']);
const log = (l) => console.error(l);

await startNativeBackend();
const { x, y } = fixedBatch(batch, size);
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

/** One trainer per mode: a model of its own, trainOnBatch and predict functions. */
function trainer(preset, mode) {
  const model = buildUnet({ preset, inputShape: [size, size, 3] });
  const optimizer = createOptimizer('adam', 1e-3, { compiled: mode !== 'eager' });
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  if (mode === 'eager') {
    const fit = model.makeTrainFunction();
    return {
      train: () => tf.tidy(() => fit([x, y])[0].dataSync()[0]),
      predict: () => tf.tidy(() => model.predictOnBatch(x).dataSync()[0]),
    };
  }
  const options = { precision: mode, xla: values.xla, log };
  const step = compileTrainStep(model, options);
  const infer = compilePredict(model, options);
  return {
    train: () => step.trainOnBatch(x, y)[0],
    predict: () => tf.tidy(() => infer.predict(x).dataSync()[0]),
  };
}

for (const preset of values.models.split(',')) {
  const modes = values.modes.split(',');
  const trainers = Object.fromEntries(modes.map((m) => [m, trainer(preset, m)]));
  // Warm-up: the compiled modes record and build their graphs on their first two steps.
  for (const m of modes) {
    for (let i = 0; i < 3; i++) trainers[m].train();
    trainers[m].predict();
  }
  const train = Object.fromEntries(modes.map((m) => [m, []]));
  const infer = Object.fromEntries(modes.map((m) => [m, []]));
  const trainCpu = Object.fromEntries(modes.map((m) => [m, []]));
  const inferCpu = Object.fromEntries(modes.map((m) => [m, []]));
  const cpuMs = (since) => {
    const { user, system } = process.cpuUsage(since);
    return (user + system) / 1000;
  };
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const m of modes) {
      let t = performance.now();
      let cpu = process.cpuUsage();
      for (let i = 0; i < steps; i++) trainers[m].train();
      train[m].push((steps * batch) / ((performance.now() - t) / 1000));
      trainCpu[m].push(cpuMs(cpu) / (steps * batch));
      t = performance.now();
      cpu = process.cpuUsage();
      for (let i = 0; i < inferBatches; i++) trainers[m].predict();
      infer[m].push((inferBatches * batch) / ((performance.now() - t) / 1000));
      inferCpu[m].push(cpuMs(cpu) / (inferBatches * batch));
    }
  }
  for (const m of modes) {
    console.log(
      JSON.stringify({
        model: preset,
        mode: m + (values.xla && m !== 'eager' ? '+xla' : ''),
        size,
        batch_size: batch,
        train_images_per_s: +median(train[m]).toFixed(1),
        infer_images_per_s: +median(infer[m]).toFixed(1),
        vs_eager_train: +(median(train[m]) / median(train.eager ?? train[m])).toFixed(2),
        vs_eager_infer: +(median(infer[m]) / median(infer.eager ?? infer[m])).toFixed(2),
        train_cpu_ms_per_image: +median(trainCpu[m]).toFixed(1),
        infer_cpu_ms_per_image: +median(inferCpu[m]).toFixed(1),
      }),
    );
  }
}
