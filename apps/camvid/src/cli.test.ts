/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) on the CamVid sample of
 * ../shared/data/camvid (train/ + trainannot/, val/ + valannot/), a few files linked into a temp
 * folder: one epoch at 48x64 trains 11 classes on train/ and validates on val/, then evaluate
 * and predict write every multi-class file. The shared command line is tested in packages/cli.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { readModelClasses } from '@unet/cli';
import {
  appCli,
  type CliResult,
  expectLoadableModel,
  expectOk,
  pixelValues,
  pngSize,
  readCsv,
  readJson,
} from '@unet/cli-test-support';
import { CAMVID_CLASSES } from '@unet/data';
import { loadModel } from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';
import { linkSubset } from './sample-data.js';

const app = appCli('unet-camvid', import.meta.url);
const { cli } = app;
const { root: camvid, hasData } = app.sharedData('camvid', 'trainannot');

const NAMES = CAMVID_CLASSES.classes.map((c) => c.name);

describe('--help', () => {
  it('names the SegNet layout and the HxW default size', async () => {
    const r = await cli('--help');
    expectOk(r);
    expect(r.stdout).toContain('trainannot/');
    const train = await cli('train', '--help');
    expectOk(train);
    expect(train.stdout).toMatch(/--image-size N\|HxW .*\(default 192x256\)/);
    expect(train.stdout).toMatch(/--class-weights .*\(default sqrt/);
  });
});

describe.skipIf(!hasData)('on the CamVid sample', () => {
  let data: string;
  let out: string;
  let model: string;
  let trained: CliResult;
  let valNames: string[];

  beforeAll(async () => {
    data = app.at('data');
    linkSubset(camvid, data, 'train', 8);
    valNames = linkSubset(camvid, data, 'val', 3);
    out = app.at('run');
    model = path.join(out, 'model');
    trained = await app.run('train', {
      data,
      out,
      'image-size': '48x64',
      'batch-size': 4,
      epochs: 1,
    });
  }, 240_000);

  describe('train', () => {
    it('exits 0 and trains on train/, validates on val/, 11 classes', () => {
      expectOk(trained);
      expect(trained.stderr).toContain('8 training and 3 validation samples at 48x64, 11 classes');
      expect(trained.stderr).toMatch(/class weights \(square root of median frequency\): Sky \d/);
    });

    it('writes config.json with the classes, weights and the configured sparse loss', () => {
      const config = readJson(path.join(out, 'config.json'));
      expect(config).toMatchObject({
        imageSize: '48x64',
        batchSize: 4,
        loss: 'sparseCategoricalCrossentropy_unet_camvid',
        classes: NAMES,
      });
      expect(config.classWeights).toHaveLength(11);
    });

    it('reports the validation mean IoU per epoch in history.csv', () => {
      const { header, rows } = readCsv(path.join(out, 'history.csv'));
      const column = header.indexOf('val_miou');
      expect(column, header.join(',')).toBeGreaterThan(-1);
      const miou = Number(rows[0]![column]);
      expect(miou).toBeGreaterThanOrEqual(0);
      expect(miou).toBeLessThanOrEqual(1);
    });

    it('saves an 11-class softmax model that loads again with its class list', async () => {
      await expectLoadableModel(model, tf.loadLayersModel, [null, 48, 64, 3], [null, 48, 64, 11]);
      const loaded = await loadModel(model);
      try {
        const list = await readModelClasses('test', model, loaded);
        expect(list?.classes.map((c) => c.name)).toEqual(NAMES);
        expect(list?.ignoreIndex).toBe(11);
        expect(list?.classes[0]?.color).toEqual([128, 128, 128]);
      } finally {
        loaded.dispose();
      }
    });
  });

  describe('evaluate', () => {
    it('scores --subset val at 360x480: metrics.json, per_class.csv, confusion.csv/png', async () => {
      const dir = app.at('eval');
      const r = await app.run('evaluate', { data, model, out: dir, subset: 'val' });
      expectOk(r);
      const metrics = readJson<{
        images: number;
        miou: number;
        pixel_accuracy: number;
        per_class: Record<string, { iou: number | null; dice: number | null }>;
        evaluated_at: string;
      }>(path.join(dir, 'metrics.json'));
      expect(metrics.images).toBe(3);
      expect(metrics.evaluated_at).toBe('original size');
      expect(metrics.miou).toBeGreaterThanOrEqual(0);
      expect(metrics.miou).toBeLessThanOrEqual(1);
      expect(metrics.pixel_accuracy).toBeGreaterThan(0);
      expect(Object.keys(metrics.per_class)).toEqual(NAMES);
      const perClass = readCsv(path.join(dir, 'per_class.csv'));
      expect(perClass.header).toEqual([
        'index',
        'name',
        'true_pixels',
        'predicted_pixels',
        'intersection',
        'iou',
        'dice',
        'recall',
      ]);
      expect(perClass.rows.map((row) => row[1])).toEqual(NAMES);
      // Every labelled pixel of the 3 masks at 480x360 is counted once (void left out).
      const counted = perClass.rows.reduce((n, row) => n + Number(row[2]), 0);
      expect(counted).toBeGreaterThan(0);
      expect(counted).toBeLessThanOrEqual(3 * 480 * 360);
      const confusion = readCsv(path.join(dir, 'confusion.csv'));
      expect(confusion.rows).toHaveLength(11);
      expect(confusion.header.slice(1)).toEqual(NAMES);
      const picture = await pngSize(path.join(dir, 'confusion.png'));
      expect(picture.width).toBeGreaterThan(11 * 40);
    });

    it('refuses a subset CamVid does not have', async () => {
      const r = await app.run('evaluate', { data, model, out: app.at('x'), subset: 'dev' });
      app.expectOneLineError(r, '--subset');
    });
  });

  describe('predict', () => {
    it('writes class-index, colour and overlay PNGs at 480x360 and float32 probabilities', async () => {
      const dir = app.at('pred');
      const input = path.join(data, 'val');
      const flags = { input, model, out: dir, overlay: true, probabilities: true };
      const r = await app.run('predict', flags);
      expectOk(r);
      for (const name of valNames) {
        const mask = path.join(dir, 'masks', `${name}.png`);
        expect(await pngSize(mask)).toMatchObject({ width: 480, height: 360 });
        for (const v of await pixelValues(mask)) expect(v).toBeLessThan(11);
        expect(await pngSize(path.join(dir, 'colour', `${name}.png`))).toMatchObject({
          width: 480,
          height: 360,
        });
        expect(await pngSize(path.join(dir, 'overlays', `${name}.png`))).toMatchObject({
          width: 480,
          height: 360,
        });
        const npy = fs.readFileSync(path.join(dir, 'probabilities', `${name}.npy`));
        expect(npy.subarray(1, 6).toString('latin1')).toBe('NUMPY');
        const headerLength = npy.readUInt16LE(8);
        expect(npy.subarray(10, 10 + headerLength).toString('latin1')).toContain(
          "'shape': (360, 480, 11)",
        );
        expect(npy.length - 10 - headerLength).toBe(360 * 480 * 11 * 4);
        // Probabilities of a pixel sum to 1 (softmax, resized bilinearly).
        let sum = 0;
        for (let c = 0; c < 11; c++) sum += npy.readFloatLE(10 + headerLength + 4 * c);
        expect(sum).toBeCloseTo(1, 4);
      }
    });
  });
});
