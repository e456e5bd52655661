// Images/s of `predict` in one process against `predict --queue` with 1 and 2 workers (the
// folder app's `worker`, as child processes), and the queue's own overhead per job (no-op jobs
// through BullMQ). Starts its own redis-server on a free loopback port and stops it after.
// Run from the repository root after `pnpm build`: node bench/src/queue-throughput.mjs
// The figures are as noisy as the machine is busy.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-node';
import { buildUnet } from '@unet/layers';
import { initBackend } from '@unet/runtime';
import { loadModel, predict } from '@unet/train';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { enqueuePredict } = await import(path.join(root, 'packages/cli/dist/index.js'));
// The tests' throwaway Redis (free loopback port, no persistence).
const { startRedis } = await import(path.join(root, 'packages/cli/test/redis-server.mjs'));
// bullmq is @unet/cli's dependency, not the bench's: resolved from there.
const { Queue, Worker } = createRequire(path.join(root, 'packages/cli/package.json'))('bullmq');
const APP = path.join(root, 'apps/folder/dist/cli.js');
const shared = path.resolve(root, '../shared/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-queue-bench-'));
const log = () => {};

function startWorker(url) {
  const child = spawn(process.execPath, [APP, 'worker', '--queue', url], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve) => {
    let out = '';
    child.stderr.on('data', (d) => {
      out += d;
      if (/worker \S+ on queue/.test(out)) resolve(child);
    });
  });
}

// Inputs: the 56 DSB2018 images and the 30 ISBI 2012 test slices; a small untrained U-Net.
const input = path.join(tmp, 'images');
fs.mkdirSync(input);
const dsb = path.join(shared, 'dsb2018/stage1_train');
for (const id of fs.readdirSync(dsb))
  fs.symlinkSync(path.join(dsb, id, 'images', `${id}.png`), path.join(input, `${id}.png`));
for (const f of fs.readdirSync(path.join(shared, 'isbi2012/test')))
  fs.symlinkSync(path.join(shared, 'isbi2012/test', f), path.join(input, `isbi-${f}`));
const files = fs
  .readdirSync(input)
  .sort()
  .map((f) => path.join(input, f));
const modelDir = path.join(tmp, 'model');
const unet = buildUnet({ inputShape: [128, 128, 3], depth: 3, filters: 8, seed: 7 });
await unet.save(`file://${modelDir}`);
unet.dispose();

const results = {
  images: files.length,
  model: 'U-Net 128x128x3, depth 3, 8 filters (untrained)',
  cores: os.cpus().length,
};

// 1. In-process predict.
await initBackend('auto', { log, warn: log });
const model = await loadModel(modelDir);
await predict({
  model,
  inputs: files.slice(0, 2),
  outDir: path.join(tmp, 'warm'),
  keepMasks: false,
});
let t = performance.now();
await predict({ model, inputs: files, outDir: path.join(tmp, 'single'), keepMasks: false });
const single = (performance.now() - t) / 1000;
model.dispose();
results.inProcess = { seconds: single, imagesPerSecond: files.length / single };

const redis = await startRedis();
try {
  // 2. Queue with 1 and 2 workers (started and listening before the clock starts; the model load
  // on each worker's first job is counted).
  for (const n of [1, 2]) {
    const workers = await Promise.all(Array.from({ length: n }, () => startWorker(redis.url)));
    t = performance.now();
    await enqueuePredict({
      url: redis.url,
      queueName: 'unet-folder',
      program: 'unet-folder',
      files,
      model: modelDir,
      out: path.join(tmp, `queue-${n}`),
      threshold: 0.5,
      overlay: false,
      log,
    });
    const s = (performance.now() - t) / 1000;
    results[`queue${n}Worker${n > 1 ? 's' : ''}`] = {
      seconds: s,
      imagesPerSecond: files.length / s,
    };
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  }
  // 3. The queue's own cost: no-op jobs, one in flight at a time, enqueue to completion seen.
  const connection = { host: '127.0.0.1', port: Number(new URL(redis.url).port) };
  const queue = new Queue('noop', { connection });
  const worker = new Worker('noop', async () => ({ ok: true }), { connection, concurrency: 1 });
  await worker.waitUntilReady();
  const jobs = 300;
  t = performance.now();
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'n', data: { i } })));
  while ((await queue.getCompletedCount()) < jobs) await new Promise((r) => setTimeout(r, 20));
  const noop = (performance.now() - t) / jobs;
  results.queueOverheadMsPerJob = noop;
  await worker.close();
  await queue.close();
  // In-process once more: the spread between the two runs shows how noisy the machine is.
  await initBackend('auto', { log, warn: log });
  const again = await loadModel(modelDir);
  t = performance.now();
  await predict({
    model: again,
    inputs: files,
    outDir: path.join(tmp, 'single-again'),
    keepMasks: false,
  });
  const s = (performance.now() - t) / 1000;
  again.dispose();
  results.inProcessAgain = { seconds: s, imagesPerSecond: files.length / s };
} finally {
  await redis.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(results, null, 2));
void tf;
