/**
 * `predict --queue` of large scenes as BullMQ flows, against a real Redis: the SpaceNet Atlanta
 * scene (900x900, 16-bit) is split into tile-batch jobs over two workers and stitched by a parent
 * job; its mask and overlay must be byte-identical to the single-process tiled `predict` of the
 * same tiny untrained U-Net (fixed seed, 96x96 tiles). An image of one tile beside it stays a
 * plain job (with --overlay). A tile batch failing fails its scene, naming the file and the batch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { decodeImage, decodeSatelliteImage, encodePng } from '@unet/data';
import { cropReflect, predictProbability } from '@unet/infer';
import { buildUnet } from '@unet/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/redis-server.mjs';
import { type CliChild, cliChildren, TILED_QUEUE_CLI } from '../../test/spawn-cli.js';
import { PARTIAL_DIR } from './predict-job.js';

const SCENE = path.resolve(
  import.meta.dirname,
  '../../../../../shared/data/spacenet-atlanta/sample_geotiff.tif',
);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-flow-'));
const input = path.join(tmp, 'images');
const model = path.join(tmp, 'model');
const reference = path.join(tmp, 'reference');
// 900x900 in 96x96 tiles at a stride of 64: 14 x 14 tiles; 16 per job: 13 tile-batch jobs.
const TILES = 196;
const BATCH_JOBS = 13;
let redis: TestRedis;
let threshold = '0.5';
const { spawn, startWorkers, stopGracefully, killAll } = cliChildren(TILED_QUEUE_CLI);

async function stop(workers: CliChild[]) {
  for (const s of await stopGracefully(workers)) expect(s.code, s.output).toBe(0);
}

/** `predict` of the images in `dir` into `out` (more flags appended). */
const predictArgs = (dir: string, out: string) =>
  ['predict', '--input', dir, '--model', model, '--out', out].concat('--threshold', threshold);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const same = (a: string, b: string) => fs.readFileSync(a).equals(fs.readFileSync(b));
/** `wrote scene tiles A-B of N` lines of a worker. */
const batchesWritten = (log: string) => log.match(/^wrote scene tiles \d+-\d+ of \d+/gm) ?? [];

beforeAll(async () => {
  redis = await startRedis();
  fs.mkdirSync(input, { recursive: true });
  fs.symlinkSync(SCENE, path.join(input, 'scene.tif'));
  const scene = await decodeSatelliteImage(SCENE, { channels: 3 });
  // A corner of the scene, smaller than one tile: a plain single-image job.
  const small = { width: 80, height: 80, channels: 3 };
  await encodePng(path.join(input, 'corner.png'), {
    ...small,
    data: cropReflect(scene, 0, 0, small.width, small.height),
  });
  const unet = buildUnet({ inputShape: [96, 96, 3], depth: 2, filters: 4, seed: 7 });
  await unet.save(`file://${model}`);
  // The median probability as threshold: about half the pixels on each side, so a stitching
  // error anywhere in the scene flips mask pixels.
  const probability = await predictProbability(unet, scene, { tile: true });
  unet.dispose();
  const sorted = Float32Array.from(probability.data).sort();
  threshold = String(sorted[sorted.length >> 1]);
  // Workers predict eagerly; so does the reference (the compiled bf16 default rounds otherwise).
  const single = await spawn(...predictArgs(input, reference), '--overlay', '--compile', 'off')
    .exited;
  expect(single.code, single.output).toBe(0);
});

afterAll(async () => {
  await killAll();
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(0);
});

describe('predict --queue: large scenes as tile-batch flows', () => {
  it('two workers predict the tile batches; the stitched mask and overlay equal the single-process ones byte for byte', async () => {
    const mask = await decodeImage(path.join(reference, 'masks', 'scene.png'), { channels: 1 });
    const foreground = mask.data.filter((v) => v > 0.5).length / mask.data.length;
    expect(foreground).toBeGreaterThan(0.3);
    expect(foreground).toBeLessThan(0.7);

    const workers = await startWorkers(2, redis.url, '--queue-name', 'flows');
    const out = path.join(tmp, 'flows');
    const run = await spawn(
      ...predictArgs(input, out),
      '--overlay',
      '--queue',
      redis.url,
      '--queue-name',
      'flows',
      '--tiles-per-job',
      '16',
    ).exited;
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`1 large scenes in ${BATCH_JOBS} tile-batch jobs`);
    // Progress counts images: the scene once, when its parent is done.
    expect(run.output.match(/^\[\d+\/2\] /gm)).toHaveLength(2);
    expect(run.output.match(/^ {2}scene: tiles \d+-\d+ of 196 /gm)).toHaveLength(BATCH_JOBS);
    for (const file of [
      'masks/scene.png',
      'masks/corner.png',
      'overlays/scene.png',
      'overlays/corner.png',
    ])
      expect(same(path.join(out, file), path.join(reference, file)), file).toBe(true);
    expect(fs.existsSync(path.join(out, PARTIAL_DIR))).toBe(false);

    const logs = workers.map((w) => w.output());
    const batches = logs.map(batchesWritten);
    expect(batches.flat()).toHaveLength(BATCH_JOBS);
    expect(
      batches.every((b) => b.length > 0),
      logs.join('\n'),
    ).toBe(true);
    expect(batches.flat().join('\n')).toContain(`tiles 193-${TILES} of ${TILES}`);
    const stitched = logs.flatMap((l) => l.match(/^wrote .*\/masks\/scene\.png/gm) ?? []);
    expect(stitched).toHaveLength(1);
    await stop(workers);
  });

  it('a failing tile batch fails its scene, naming the file and the batch; the other scene is written', async () => {
    const dir = path.join(tmp, 'with-bad');
    fs.mkdirSync(dir);
    fs.symlinkSync(SCENE, path.join(dir, 'scene.tif'));
    const bad = path.join(dir, 'bad.tif');
    fs.copyFileSync(SCENE, bad);
    const out = path.join(tmp, 'with-bad-out');
    const run = spawn(
      ...predictArgs(dir, out),
      '--queue',
      redis.url,
      '--queue-name',
      'flow-fail',
      '--tiles-per-job',
      '64',
    );
    // Planned from a good header; the file is gone bad by the time a worker reads it.
    await run.waitFor(/2 large scenes in 8 tile-batch jobs/);
    fs.writeFileSync(bad, 'no longer a TIFF: the shared mount served a half-written file');
    const workers = await startWorkers(2, redis.url, '--queue-name', 'flow-fail');
    const result = await run.exited;
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(
      new RegExp(
        `error: predict: 1 of 2 images failed: ${escapeRegExp(bad)}: tiles \\d+-\\d+ of 196: .*bad\\.tif`,
      ),
    );
    expect(fs.readdirSync(path.join(out, 'masks'))).toEqual(['scene.png']);
    expect(same(path.join(out, 'masks/scene.png'), path.join(reference, 'masks/scene.png'))).toBe(
      true,
    );
    await stop(workers);
  });
});
