/**
 * `predict --queue` and `worker` against a real Redis (a redis-server started here on a free
 * loopback port), with the producer and the workers as child processes of a small app over the
 * built @unet/cli: 86 real images (the 56 DSB2018 samples and the 30 ISBI 2012 test slices) through
 * a tiny untrained U-Net with a fixed seed. Also `--shard`, and the faults: a worker SIGKILLed
 * mid-job, a corrupt image, a second predict on a busy queue, Redis unreachable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { buildUnet } from '@unet/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, type TestRedis } from '../../test/redis-server.mjs';
import { fakeCli } from '../../test/run-in-process.js';
import { type CliChild, spawnCli } from '../../test/spawn-cli.js';
import { PARTIAL_DIR } from './predict-job.js';

const SHARED = path.resolve(import.meta.dirname, '../../../../../shared/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-queue-'));
const input = path.join(tmp, 'images');
const model = path.join(tmp, 'model');
const reference = path.join(tmp, 'reference');
let redis: TestRedis;
let names: string[] = [];
/**
 * In-process `predict` of the images into `out`, eager as the workers are (the compiled bf16
 * default rounds differently across batch shapes, and byte-for-byte comparisons would not hold).
 */
const eagerPredict = (out: string, ...extra: string[]) => [
  'predict',
  '--input',
  input,
  '--model',
  model,
  '--out',
  out,
  '--compile',
  'off',
  ...extra,
];
const children: CliChild[] = [];

function spawn(...args: string[]): CliChild {
  const c = spawnCli(...args);
  children.push(c);
  return c;
}

/** Starts `count` workers on `queueName` and waits until each is listening. */
async function startWorkers(count: number, ...args: string[]): Promise<CliChild[]> {
  const workers = Array.from({ length: count }, () =>
    spawn('worker', '--queue', redis.url, ...args),
  );
  await Promise.all(workers.map((w) => w.waitFor(/worker \S+ on queue/)));
  return workers;
}

async function stopGracefully(workers: CliChild[]) {
  for (const w of workers) w.child.kill('SIGTERM');
  return Promise.all(workers.map((w) => w.exited));
}

/** `predict` of `images` (all inputs by default) into `out` through the queue at `url`. */
function queuePredict(out: string, { name = '', images = input, url = redis.url } = {}) {
  const queue = name ? ['--queue-name', name] : [];
  return spawn(
    'predict',
    '--input',
    images,
    '--model',
    model,
    '--out',
    out,
    '--queue',
    url,
    ...queue,
  );
}

/** Exited with `code` (the log shown when not). */
function expectExit(r: { code: number | null; output: string }, code: number) {
  expect(r.code, r.output).toBe(code);
}

const masks = (out: string) => fs.readdirSync(path.join(out, 'masks')).sort();

/** OUT/masks/FILE is byte for byte the single-process predict's. */
function expectReferenceMask(out: string, file: string) {
  const [mine, theirs] = [out, reference].map((dir) =>
    fs.readFileSync(path.join(dir, 'masks', file)),
  );
  expect(mine!.equals(theirs!), file).toBe(true);
}

function expectSameMasks(out: string) {
  expect(masks(out)).toEqual(names.map((n) => `${n}.png`));
  for (const n of names) expectReferenceMask(out, `${n}.png`);
  expect(fs.existsSync(path.join(out, PARTIAL_DIR))).toBe(false);
}

/** Image ids named by `wrote .../masks/ID.png` lines. */
const written = (log: string) =>
  [...log.matchAll(/^wrote .*\/masks\/([^/]+)\.png/gm)].map((m) => m[1]);

beforeAll(async () => {
  redis = await startRedis();
  // The inputs: links to the real images, under one folder (ids are unique file stems).
  fs.mkdirSync(path.join(input, 'dsb2018'), { recursive: true });
  fs.mkdirSync(path.join(input, 'isbi2012'), { recursive: true });
  const dsb = path.join(SHARED, 'dsb2018', 'stage1_train');
  for (const id of fs.readdirSync(dsb)) {
    fs.symlinkSync(
      path.join(dsb, id, 'images', `${id}.png`),
      path.join(input, 'dsb2018', `${id}.png`),
    );
  }
  const isbi = path.join(SHARED, 'isbi2012', 'test');
  for (const f of fs.readdirSync(isbi))
    fs.symlinkSync(path.join(isbi, f), path.join(input, 'isbi2012', `isbi-${f}`));
  names = [
    ...fs.readdirSync(path.join(input, 'dsb2018')),
    ...fs.readdirSync(path.join(input, 'isbi2012')),
  ]
    .map((f) => f.replace(/\.png$/, ''))
    .sort();
  expect(names.length).toBeGreaterThanOrEqual(60);
  const unet = buildUnet({ inputShape: [32, 32, 3], depth: 2, filters: 4, seed: 7 });
  await unet.save(`file://${model}`);
  unet.dispose();
  // The single-process answer every distributed run must match byte for byte.
  const single = await spawn(...eagerPredict(reference)).exited;
  expectExit(single, 0);
  expect(masks(reference)).toHaveLength(names.length);
});

afterAll(async () => {
  for (const c of children)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(0);
});

describe('predict --queue with workers', () => {
  it('3 workers write masks byte-identical to a single-process predict; a rerun skips them all; SIGTERM stops workers cleanly', async () => {
    const workers = await startWorkers(3);
    const out = path.join(tmp, 'three-workers');
    const run = await queuePredict(out).exited;
    expectExit(run, 0);
    expect(run.output).toContain(`[${names.length}/${names.length}]`);
    expectSameMasks(out);
    const byWorker = workers.map((w) => written(w.output()));
    expect(byWorker.flat().sort()).toEqual(names); // each image written once, by one worker
    expect(byWorker.filter((w) => w.length > 0).length).toBeGreaterThanOrEqual(2);

    const again = await queuePredict(out).exited;
    expectExit(again, 0);
    expect(again.output).toContain(`all ${names.length} masks already written`);

    const stopped = await stopGracefully(workers);
    for (const s of stopped) {
      expectExit(s, 0);
      expect(s.output).toContain('worker stopped');
    }
  });

  it('a worker SIGKILLed mid-job: its job goes to another worker, every mask is written once', async () => {
    const queue = ['--queue-name', 'killed', '--lock-duration', '4000'];
    const [victim, survivor] = await startWorkers(2, ...queue);
    const out = path.join(tmp, 'killed');
    const run = queuePredict(out, { name: 'killed' });
    // Kill it in the middle of its 5th job.
    await victim!.waitFor((log) => (log.match(/^start /gm)?.length ?? 0) >= 5, 120_000);
    victim!.child.kill('SIGKILL');
    const lastStarted = [...victim!.output().matchAll(/^start (\S+)/gm)].at(-1)?.[1];
    const result = await run.exited;
    expectExit(result, 0);
    expectSameMasks(out);
    const victimWrote = written(victim!.output());
    expect(victimWrote).not.toContain(lastStarted);
    expect(written(survivor!.output())).toContain(lastStarted);
    expect([...victimWrote, ...written(survivor!.output())].sort()).toEqual(names);
    expect(result.output.match(/^\[\d+\/\d+\] /gm)).toHaveLength(names.length);
    await stopGracefully([survivor!]);
  });

  it('SIGTERM mid-job: the worker finishes that job, takes no new one and exits 0', async () => {
    const queue = ['--queue-name', 'graceful'];
    const [first] = await startWorkers(1, ...queue);
    const out = path.join(tmp, 'graceful');
    const run = queuePredict(out, { name: 'graceful' });
    await first!.waitFor((log) => (log.match(/^start /gm)?.length ?? 0) >= 3);
    first!.child.kill('SIGTERM');
    const stopped = await first!.exited;
    expectExit(stopped, 0);
    const log = stopped.output;
    const afterSignal = log.slice(log.indexOf('SIGTERM:'));
    const started = [...log.matchAll(/^start (\S+)/gm)].map((m) => m[1]);
    // Every job it started was finished and written; none started after the signal.
    expect(written(log).sort()).toEqual([...started].sort());
    expect(afterSignal).not.toMatch(/^start /m);
    // Another worker does the rest.
    const [second] = await startWorkers(1, ...queue);
    const result = await run.exited;
    expectExit(result, 0);
    expectSameMasks(out);
    expect([...written(log), ...written(second!.output())].sort()).toEqual(names);
    await stopGracefully([second!]);
  });
});

describe('predict --queue faults', () => {
  it('a corrupt image fails its job, naming the file and why; the others are written', async () => {
    const [worker] = await startWorkers(1, '--queue-name', 'corrupt');
    const dir = path.join(tmp, 'with-corrupt');
    fs.mkdirSync(dir);
    const good = names.slice(0, 3);
    for (const n of good) {
      const sub = n.startsWith('isbi-') ? 'isbi2012' : 'dsb2018';
      fs.symlinkSync(path.join(input, sub, `${n}.png`), path.join(dir, `${n}.png`));
    }
    const garbage = path.join(dir, 'garbage.png');
    fs.writeFileSync(garbage, 'definitely not a PNG file, just some garbage bytes');
    const out = path.join(tmp, 'corrupt-out');
    const run = await queuePredict(out, { name: 'corrupt', images: dir }).exited;
    expectExit(run, 1);
    expect(run.output).toMatch(/error: predict: 1 of 4 images failed: .*garbage\.png: /);
    expect(masks(out)).toEqual(good.map((n) => `${n}.png`).sort());
    await stopGracefully([worker!]);
  });

  it('a second predict on a queue in use is refused, not mixed in', async () => {
    const out = path.join(tmp, 'busy');
    const first = queuePredict(out, { name: 'busy' });
    await first.waitFor(/jobs on queue 'busy'/);
    const second = await queuePredict(path.join(tmp, 'busy-2'), { name: 'busy' }).exited;
    expectExit(second, 1);
    expect(second.output).toMatch(/queue 'busy' .* is in use by another predict/);
    expect(fs.existsSync(path.join(tmp, 'busy-2', 'masks'))).toBe(false);
    // With a worker the first one finishes as usual.
    const [worker] = await startWorkers(1, '--queue-name', 'busy');
    const done = await first.exited;
    expectExit(done, 0);
    expectSameMasks(out);
    await stopGracefully([worker!]);
  });

  it('Redis unreachable: predict and worker fail within seconds with a clear error', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const commands: [string, () => CliChild][] = [
      ['predict', () => queuePredict(path.join(tmp, 'nowhere'), { url })],
      ['worker', () => spawn('worker', '--queue', url)],
    ];
    for (const [command, start] of commands) {
      const started = Date.now();
      const r = await start().exited;
      expectExit(r, 1);
      expect(r.output).toMatch(
        new RegExp(`error: ${command}: cannot reach Redis at ${url}/0: .*ECONNREFUSED`),
      );
      expect(Date.now() - started).toBeLessThan(20_000); // Node + TensorFlow start included
    }
  });
});

describe('predict --shard', () => {
  it('N shards cover every image exactly once, no broker involved', async () => {
    const outs = [1, 2, 3].map((i) => path.join(tmp, `shard-${i}`));
    for (const [i, out] of outs.entries()) {
      const shard = `${i + 1}/3`;
      const r = await fakeCli(...eagerPredict(out, '--shard', shard));
      expect(r.code, r.stderr).toBe(0);
    }
    const all = outs.flatMap((out) => masks(out));
    expect(all.sort()).toEqual(names.map((n) => `${n}.png`));
    for (const out of outs) {
      expect(masks(out).length).toBeGreaterThan(10);
      for (const f of masks(out)) expectReferenceMask(out, f);
    }
  });
});
