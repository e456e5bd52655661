/**
 * The instance-aware recipe end to end (`train --targets instances`) on a few real DSB2018
 * samples of ../shared/data: a 3-class model (background / interior / boundary) saved with its
 * class list and targets.json, scored by `evaluate` on its foreground (Dice, `map`) and split on
 * its interior (`map_split`, `--tune-postprocess`), and `predict --instances` writing 16-bit label
 * images. One small training (2 epochs at 64x64, built CLI in a child process) is shared.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import {
  appCli,
  type CliResult,
  expectBinaryMask,
  expectHistory,
  expectLoadableModel,
  expectOk,
  expectScored,
  pngSize,
  readJson,
} from '@unet/cli-test-support';
import { decodeImage, readImageHeader } from '@unet/data';
import { beforeAll, describe, expect, it } from 'vitest';

const app = appCli('unet-dsb2018', import.meta.url);
const { root: stage, hasData } = app.sharedData('dsb2018/stage1_train');
const { expectOneLineError, unused } = app;

/** Five small samples with touching nuclei; the first is 320x256 (original-size outputs). */
const IDS = [
  '220b37f4ca7cab486d2b71cd87a46ee7411a5aa142799d96ed98015ab5ba538a',
  '00071198d059ba7f5914a526d124d28e6d010c92466da21d4a04cd5413362552',
  '4a424e0cb845cf6fd4d9fe62875552c7b89a4e0276cf16ebf46babe4656a794e',
  '9cbc0700317361236a9fca2eb1f8f79e3a7da17b1970c179cf453921a6136001',
  'f35ab34528e3e2d2589d24cbffc0e10024dfc474a68585d0b5feb7b05aa0067f',
];

describe.skipIf(!hasData)('--targets instances on a DSB2018 subset', () => {
  let data: string;
  let out: string;
  let model: string;
  let trained: CliResult;

  beforeAll(async () => {
    data = app.at('data');
    for (const id of IDS) {
      fs.mkdirSync(path.join(data, id), { recursive: true });
      for (const sub of ['images', 'masks'])
        fs.symlinkSync(path.join(stage, id, sub), path.join(data, id, sub), 'dir');
    }
    out = app.at('run');
    model = path.join(out, 'model');
    trained = await app.run('train', {
      data,
      out,
      targets: 'instances',
      epochs: 2,
      'image-size': 64,
      'batch-size': 4,
      seed: 7,
    });
  });

  it('train writes a 3-class softmax model with its class list and targets.json', async () => {
    expectOk(trained);
    expect(trained.stderr).toMatch(/3 classes/);
    await expectLoadableModel(model, tf.loadLayersModel, [null, 64, 64, 3], [null, 64, 64, 3]);
    const classes = readJson<{ classes: { name: string }[] }>(path.join(model, 'classes.json'));
    expect(classes.classes.map((c) => c.name)).toEqual(['background', 'interior', 'boundary']);
    expect(readJson(path.join(model, 'targets.json'))).toMatchObject({ targets: 'instances' });
    const config = readJson<Record<string, unknown>>(path.join(out, 'config.json'));
    expect(config).toMatchObject({
      targets: 'instances',
      classes: ['background', 'interior', 'boundary'],
      loss: 'sparseCategoricalCrossentropy_unet_dsb2018',
    });
    // Unweighted unless --class-weights auto (see the README).
    expect(config.classWeights).toBeNull();
    expectHistory(path.join(out, 'history.csv'), 2, ['epoch', 'loss', 'val_loss', 'val_miou']);
  });

  it('evaluate scores the foreground (dice, map) and the interior split (map_split)', async () => {
    const dir = app.at('eval');
    const r = await app.run('evaluate', { data, model, out: dir });
    expectOk(r);
    expectScored(dir, IDS, ['dice', 'iou', 'precision', 'recall', 'map', 'map_split']);
    const metrics = readJson<Record<string, unknown>>(path.join(dir, 'metrics.json'));
    expect(metrics).toMatchObject({ targets: 'instances', evaluated_at: 'original size' });
    expect(metrics.split).toMatchObject({
      method: 'interior-marker watershed',
      markers: 'interior',
      interiorThreshold: 0.5,
      minArea: 10,
      source: 'defaults',
    });
  });

  it('evaluate --tune-postprocess chooses the interior split on the validation ids', async () => {
    const dir = app.at('tune');
    const split = path.join(out, 'split.json');
    const r = await app.run('evaluate', { data, model, out: dir, split, 'tune-postprocess': true });
    expectOk(r);
    const saved = readJson<{
      instances: Record<string, unknown>;
      grid: { map_split: number }[];
      tuned_on: { images: number };
    }>(path.join(model, 'postprocess.json'));
    expect(saved.instances).toMatchObject({ markers: 'interior' });
    expect(saved.grid).toHaveLength(15);
    expect(saved.tuned_on.images).toBe(readJson<{ val: string[] }>(split).val.length);
    const best = Math.max(...saved.grid.map((g) => g.map_split));
    const metrics = readJson<Record<string, unknown>>(path.join(dir, 'metrics.json'));
    expect(metrics.map_split).toBe(best);
    expect(metrics.split).toMatchObject({ source: path.join(model, 'postprocess.json') });
  });

  it('predict --instances writes the binary mask and a 16-bit label image at original size', async () => {
    const id = IDS[0]!;
    const image = path.join(data, id, 'images', `${id}.png`);
    const dir = app.at('pred');
    const r = await app.run('predict', { input: image, model, out: dir, instances: true });
    expectOk(r);
    const size = await pngSize(image);
    expect(size).toMatchObject({ width: 320, height: 256 });
    await expectBinaryMask(path.join(dir, 'masks', `${id}.png`), size);
    const labelFile = path.join(dir, 'instances', `${id}.png`);
    const header = await readImageHeader(labelFile);
    expect(header).toMatchObject({ width: 320, height: 256, bitDepth: 16 });
    // Objects are numbered 1..count without gaps.
    const labels = (await decodeImage(labelFile, { channels: 1 })).data;
    const ids = [...new Set(Array.from(labels, (v) => Math.round(v * 65535)))].sort(
      (a, b) => a - b,
    );
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + (ids[0] === 0 ? 0 : 1)));
  });

  it('export and predict --queue refuse the instance model (they would read channel 0)', async () => {
    const exported = await app.run('export', { model, out: unused() });
    expectOneLineError(exported, 'export: a bundle does not run instance models');
    const queue = 'redis://127.0.0.1:1';
    const queued = await app.run('predict', { input: data, model, out: unused(), queue });
    expectOneLineError(queued, 'predict: --queue does not run instance models');
  });

  it('--targets instances with --classes is a usage error', async () => {
    const classes = app.at('classes.json');
    fs.writeFileSync(classes, JSON.stringify({ classes: [{ name: 'a' }, { name: 'b' }] }));
    const r = await app.run('train', { data, out: unused(), targets: 'instances', classes });
    expectOneLineError(r, /--targets instances has its own classes/);
    expect(r.code).toBe(2);
  });
});
