// Epoch time of the dsb2018 preset on the DSB2018 sample fed by the real data pipeline
// (listDsb2018 -> toTfDataset: decode or cache read, augment, batch, prefetch) versus the same
// images as in-memory tensors, alternated over rounds; plus tensor count and RSS over 20 epochs.
// Prints one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { clearCache, listDsb2018, loadSamples, toTfDataset } from '@unet/data';
import { buildUnet } from '@unet/layers';
import { createOptimizer, enableFastPaths, initBackend } from '@unet/runtime';

const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.resolve(here, '../../../shared/data/dsb2018/stage1_train');
if (!fs.existsSync(data)) {
  console.log(JSON.stringify({ skipped: `no DSB2018 sample at ${data}` }));
  process.exit(0);
}
const SIZE = 128;
const BATCH = 16;
const ROUNDS = Number(process.env.BENCH_PIPELINE_ROUNDS ?? 3);
const EPOCHS = Number(process.env.BENCH_PIPELINE_EPOCHS ?? 3);
const MEMORY_EPOCHS = Number(process.env.BENCH_MEMORY_EPOCHS ?? 20);

await initBackend('tensorflow', { log: () => {}, warn: (l) => console.error(l) });
enableFastPaths({ log: () => {}, warn: (l) => console.error(l) });

function compiledModel() {
  const model = buildUnet({ preset: 'dsb2018', inputShape: [SIZE, SIZE, 3] });
  model.compile({ optimizer: createOptimizer('adam', 1e-3), loss: 'binaryCrossentropy' });
  return model;
}

const memory = { tensors: [], rss_mb: [] };
async function epochTimes(model, fit, trackMemory = false) {
  const times = [];
  let start = 0;
  await fit(model, {
    onEpochBegin: async () => {
      start = performance.now();
    },
    onEpochEnd: async () => {
      times.push((performance.now() - start) / 1000);
      if (trackMemory) {
        memory.tensors.push(tf.memory().numTensors);
        memory.rss_mb.push(Math.round(process.memoryUsage().rss / 1048576));
      }
    },
  });
  return times.slice(1); // the first epoch also warms up kernels
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-bench-cache-'));
const listSample = (cache) =>
  listDsb2018(data, { size: SIZE, instances: false, cache, progress: false });
const refs = await listSample(cacheDir);
const { samples } = await loadSamples(refs, { progress: false });
const x = tf.stack(samples.map((s) => tf.tensor3d(s.image.data, [SIZE, SIZE, 3])));
const y = tf.stack(samples.map((s) => tf.tensor3d(s.mask.data, [SIZE, SIZE, 1])));

// Three ways to feed the same model, alternated round by round so that the machine's noise
// spreads over all of them: in-memory tensors (model.fit), the samples loaded once as the apps'
// train command does (toTfDataset: shuffle, augment, batch, prefetch), and lazy references read
// from the disk cache every epoch.
const fitInMemory = (epochs) => (m, callbacks) =>
  m.fit(x, y, { batchSize: BATCH, epochs, shuffle: true, verbose: 0, callbacks });
const fitPipeline = (items) => (m, callbacks) =>
  m.fitDataset(toTfDataset(items, { batchSize: BATCH, augment: true, seed: 1 }), {
    epochs: EPOCHS,
    verbose: 0,
    callbacks,
  });
const feeds = {
  in_memory: fitInMemory(EPOCHS),
  loaded: fitPipeline(samples),
  lazy_cached: fitPipeline(refs),
};
const model = compiledModel();
const perRound = Object.fromEntries(Object.keys(feeds).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fit] of Object.entries(feeds)) {
    perRound[name].push(median(await epochTimes(model, fit)));
  }
}
const overhead = (name) => median(perRound[name].map((t, i) => t / perRound.in_memory[i] - 1));

// Tensor count and RSS over a longer in-memory run.
await epochTimes(model, fitInMemory(MEMORY_EPOCHS), true);
x.dispose();
y.dispose();

await clearCache(cacheDir);
const uncachedRefs = await listSample(false);
const uncached = median(await epochTimes(model, fitPipeline(uncachedRefs)));
model.dispose();
fs.rmSync(cacheDir, { recursive: true, force: true });

const inMemory = median(perRound.in_memory);
console.log(
  JSON.stringify({
    images: refs.length,
    size: SIZE,
    batch_size: BATCH,
    rounds: ROUNDS,
    epoch_seconds_per_round: perRound,
    epoch_seconds_in_memory: inMemory,
    epoch_seconds_pipeline_loaded: median(perRound.loaded),
    epoch_seconds_pipeline_cached: median(perRound.lazy_cached),
    epoch_seconds_pipeline_uncached: uncached,
    pipeline_overhead_loaded: overhead('loaded'),
    pipeline_overhead_cached: overhead('lazy_cached'),
    pipeline_overhead_uncached: uncached / inMemory - 1,
    memory_over_epochs: {
      epochs: MEMORY_EPOCHS,
      tensors: memory.tensors,
      rss_mb: memory.rss_mb,
      tensor_growth: memory.tensors.at(-1) - memory.tensors[0],
      rss_growth_mb_epoch2_to_last: memory.rss_mb.at(-1) - memory.rss_mb[1],
    },
  }),
);
