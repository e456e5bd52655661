/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) on a few real DSB2018 samples of
 * ../shared/data, linked (not copied) into a temp folder: what is DSB2018's own (its layout and
 * reader and its errors, its RGB model, its metrics, the mAP in evaluate, the demo). The
 * command-line contract every app shares (--help of train/evaluate/predict, usage errors,
 * --resume, --config, --split, Ctrl-C, curves.png, predict on a folder) is tested once, on a fake
 * recipe, in packages/cli/src/*-command.test.ts and run-cli.test.ts. One small training (2 epochs
 * at 64x64) is shared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-node';
import {
  type CliResult,
  cliHarness,
  expectBinaryMask,
  expectHistory,
  expectLoadableModel,
  expectOk,
  expectScored,
  pngSize,
  readCsv,
  readJson,
} from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROGRAM = 'unet-dsb2018';
const appDir = fileURLToPath(new URL('..', import.meta.url));
const { setUp, tearDown, cli, expectCommandHelp, expectOneLineError, expectTrainFailure, unused } =
  cliHarness({
    program: PROGRAM,
    appDir,
  });
const repoRoot = path.resolve(appDir, '../..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const stage = path.join(dataRoot, 'dsb2018', 'stage1_train');
const hasData = fs.existsSync(stage);
if (!hasData) console.warn(`[${PROGRAM} cli.test] ${stage} not found: data tests skipped`);

/** Six small samples: 256x256 and 320x256 (non-square, to check original-size outputs). */
const IDS = [
  '220b37f4ca7cab486d2b71cd87a46ee7411a5aa142799d96ed98015ab5ba538a', // 320x256
  '57bd029b19c1b382bef9db3ac14f13ea85e36a6053b92e46caedee95c05847ab', // 320x256
  '9cbc0700317361236a9fca2eb1f8f79e3a7da17b1970c179cf453921a6136001',
  'f35ab34528e3e2d2589d24cbffc0e10024dfc474a68585d0b5feb7b05aa0067f',
  'd32ea6d318626ca14a967d0c1ad3218aebfe636624a8d1173f5150dde8ff38cf',
  '11a0170f44e3ab4a8d669ae8ea9546d3a32ebfe6486d9066e5648d30b4e1cb69',
];

const imageOf = (root: string, id: string) => path.join(root, id, 'images', `${id}.png`);

/** A DSB2018 folder of `ids`: real `<id>/` folders whose images/ and masks/ link to the data. */
function linkSubset(dir: string, ids: string[]): string {
  for (const id of ids) {
    fs.mkdirSync(path.join(dir, id), { recursive: true });
    for (const sub of ['images', 'masks'])
      fs.symlinkSync(path.join(stage, id, sub), path.join(dir, id, sub), 'dir');
  }
  return dir;
}

let tmp: string;
beforeAll(() => {
  tmp = setUp();
});

afterAll(tearDown);

describe('--help', () => {
  it('on the app lists every command, the demo too, and exits 0', async () => {
    const r = await cli('--help');
    expectOk(r);
    for (const command of ['train', 'evaluate', 'predict', 'demo'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('on demo lists its flags and exits 0', () =>
    expectCommandHelp('demo', ['out', 'epochs', 'images', 'backend']));
});

describe.skipIf(!hasData)('on a DSB2018 subset', () => {
  let data: string;
  let out: string;
  let model: string;
  let trained: CliResult;

  beforeAll(async () => {
    data = linkSubset(path.join(tmp, 'data'), IDS);
    out = path.join(tmp, 'run');
    model = path.join(out, 'model');
    trained = await cli(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '2',
      '--image-size',
      '64',
      '--batch-size',
      '4',
      '--seed',
      '7',
    );
  });

  describe('train', () => {
    it('exits 0', () => expectOk(trained));

    it('writes a loadable model in OUT/model', async () => {
      await expectLoadableModel(model, tf.loadLayersModel, [null, 64, 64, 3], [null, 64, 64, 1]);
    });

    it('writes history.csv with one row per epoch, loss and val_ columns', () => {
      const file = path.join(out, 'history.csv');
      expectHistory(file, 2, ['epoch', 'loss', 'val_loss']);
      expect(readCsv(file).header.some((c) => c.startsWith('val_dice'))).toBe(true);
    });

    it('writes config.json with the settings used', () => {
      const config = readJson(path.join(out, 'config.json'));
      expect(config).toMatchObject({
        program: PROGRAM,
        data,
        out,
        epochs: 2,
        batchSize: 4,
        imageSize: 64,
        seed: 7,
        valSplit: 0.2,
        channels: 3,
        resume: false,
      });
      for (const key of ['backend', 'learningRate', 'loss', 'patience'])
        expect(config).toHaveProperty(key);
    });

    it('writes split.json: disjoint train and val ids covering the data', () => {
      const split = readJson<{ train: string[]; val: string[] }>(path.join(out, 'split.json'));
      expect(split.val.length).toBeGreaterThan(0);
      expect(split.train.length).toBeGreaterThan(0);
      expect([...split.train, ...split.val].sort()).toEqual([...IDS].sort());
    });
  });

  describe('evaluate', () => {
    it('writes metrics.json (dice, iou, precision, recall, map) and one per_image row per image', async () => {
      const dir = path.join(tmp, 'eval-all');
      const r = await cli('evaluate', '--data', data, '--model', model, '--out', dir);
      expectOk(r);
      expect(r.stderr).toMatch(/dice\s+\d\.\d{4}/);
      expectScored(dir, IDS, ['dice', 'iou', 'precision', 'recall', 'map']);
      // The instance split beside connected components, with its settings (defaults: no
      // postprocess.json beside the model yet).
      const metrics = readJson<Record<string, unknown>>(path.join(dir, 'metrics.json'));
      expect(metrics.map_split).toBeGreaterThanOrEqual(0);
      expect(metrics.map_split).toBeLessThanOrEqual(1);
      expect(metrics.split).toMatchObject({ h: 1, minArea: 10, source: 'defaults' });
      expect(metrics.tta).toBe('off');
    });
  });

  describe('predict', () => {
    it('on a file writes a 0/255 mask at the original size, and an overlay with --overlay', async () => {
      const id = IDS[0]!;
      const dir = path.join(tmp, 'pred-file');
      const r = await cli(
        'predict',
        '--input',
        imageOf(data, id),
        '--model',
        model,
        '--out',
        dir,
        '--overlay',
      );
      expectOk(r);
      const input = await pngSize(imageOf(data, id));
      expect(input).toMatchObject({ width: 320, height: 256 });
      const mask = path.join(dir, 'masks', `${id}.png`);
      await expectBinaryMask(mask, input);
      expect((await pngSize(path.join(dir, 'overlays', `${id}.png`))).format).toBe('png');
    });
  });

  describe('bad input', () => {
    it('--data that does not exist', async () => {
      const missing = path.join(tmp, 'no-such-data');
      await expectTrainFailure(['--data', missing], missing, /not found/);
      expectOneLineError(
        await cli('evaluate', '--data', missing, '--model', model, '--out', unused()),
        missing,
        /not found/,
      );
      expectOneLineError(
        await cli('predict', '--input', missing, '--model', model, '--out', unused()),
        missing,
        /does not exist/,
      );
    });

    it('a folder without the DSB2018 layout', async () => {
      const flat = path.join(tmp, 'flat');
      fs.mkdirSync(flat);
      fs.symlinkSync(imageOf(data, IDS[2]!), path.join(flat, 'a.png'));
      await expectTrainFailure(['--data', flat, '--image-size', '64'], flat, /no sample folders/);
    });

    it('an --image-size a depth-4 U-Net cannot take', async () => {
      await expectTrainFailure(
        ['--data', data, '--image-size', '100'],
        '--image-size 100',
        /multiple of .*16/,
      );
    });

    it('a corrupt image in the data', async () => {
      const broken = linkSubset(path.join(tmp, 'broken'), IDS.slice(0, 3));
      const garbage = path.join(broken, 'garbage', 'images', 'garbage.png');
      fs.mkdirSync(path.dirname(garbage), { recursive: true });
      fs.writeFileSync(garbage, Buffer.from('definitely not a PNG file, just some garbage bytes'));
      await encodePng(path.join(broken, 'garbage', 'masks', 'm.png'), {
        data: new Float32Array(64 * 64).fill(1),
        width: 64,
        height: 64,
        channels: 1,
      });
      const reason = /decode|corrupt|not an image/;
      await expectTrainFailure(
        ['--data', broken, '--epochs', '1', '--image-size', '64'],
        garbage,
        reason,
      );
      expectOneLineError(
        await cli('evaluate', '--data', broken, '--model', model, '--out', unused()),
        garbage,
        reason,
      );
      expectOneLineError(
        await cli('predict', '--input', path.dirname(garbage), '--model', model, '--out', unused()),
        garbage,
        reason,
      );
    });
  });

  // Datasets are often assembled from links to files kept elsewhere.
  it('reads a data folder whose sample folders are symlinks', async () => {
    const linked = path.join(tmp, 'linked');
    fs.mkdirSync(linked);
    for (const id of IDS.slice(0, 2))
      fs.symlinkSync(path.join(stage, id), path.join(linked, id), 'dir');
    expectOk(
      await cli(
        'evaluate',
        '--data',
        linked,
        '--model',
        model,
        '--out',
        path.join(tmp, 'eval-linked'),
      ),
    );
  });
});

describe('demo (generates its own data)', () => {
  it('generates data, trains, evaluates and predicts end to end', async () => {
    const dir = path.join(tmp, 'demo');
    const r = await cli('demo', '--out', dir, '--epochs', '1', '--images', '8');
    expectOk(r);
    for (const file of [
      'run/model/model.json',
      'run/history.csv',
      'run/curves.png',
      'evaluation/metrics.json',
    ])
      expect(fs.existsSync(path.join(dir, file)), file).toBe(true);
    const masks = fs.readdirSync(path.join(dir, 'predictions', 'masks'));
    expect(masks).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, 'predictions', 'overlays'))).toEqual(masks);
  });
});
