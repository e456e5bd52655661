/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) on a few ISBI 2012 images of
 * ../shared/data (`train/image` + `train/label`), linked (not copied) into a temp folder: what is
 * the folder app's own: the accepted layouts and their errors, its model, loss and defaults,
 * original-size outputs on real images. The command-line contract every app shares (--help of
 * train/evaluate/predict, usage errors, --resume, --config, --split, curves.png, predict on a
 * folder) is tested once, on a fake recipe, in packages/cli. One small training (2 epochs at
 * 64x64) is shared by the tests.
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
  linkFile,
  pngSize,
  readCsv,
  readJson,
} from '@unet/cli-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROGRAM = 'unet-folder';
const appDir = fileURLToPath(new URL('..', import.meta.url));
const { setUp, tearDown, cli, expectOneLineError, expectTrainFailure, unused } = cliHarness({
  program: PROGRAM,
  appDir,
});
const repoRoot = path.resolve(appDir, '../..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const isbi = path.join(dataRoot, 'isbi2012', 'train');
const hasData = fs.existsSync(path.join(isbi, 'image'));
if (!hasData) console.warn(`[${PROGRAM} cli.test] ${isbi} not found: data tests skipped`);

const NAMES = ['0', '1', '2', '3', '4', '5'];

/** An images + masks folder pair of `names` from ISBI 2012, under the given folder names. */
function linkSubset(dir: string, names: string[], [images, masks] = ['image', 'label']): string {
  for (const name of names) {
    linkFile(path.join(isbi, 'image', `${name}.png`), path.join(dir, images!, `${name}.png`));
    linkFile(path.join(isbi, 'label', `${name}.png`), path.join(dir, masks!, `${name}.png`));
  }
  return dir;
}

let tmp: string;
beforeAll(() => {
  tmp = setUp();
});

afterAll(tearDown);

describe('--help', () => {
  it('on the app lists every command and the accepted layouts, and exits 0', async () => {
    const r = await cli('--help');
    expectOk(r);
    for (const command of ['train', 'evaluate', 'predict'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(r.stdout).toContain('image/ + label/');
  });
});

describe.skipIf(!hasData)('on an ISBI 2012 subset', () => {
  let data: string;
  let out: string;
  let model: string;
  let trained: CliResult;
  const trainArgs = () => ['--data', data, '--out', out, '--image-size', '64', '--batch-size', '4'];

  beforeAll(async () => {
    data = linkSubset(path.join(tmp, 'data'), NAMES);
    out = path.join(tmp, 'run');
    model = path.join(out, 'model');
    trained = await cli('train', ...trainArgs(), '--epochs', '2', '--seed', '11');
  });

  describe('train', () => {
    it('exits 0', () => expectOk(trained));

    it('writes a loadable model in OUT/model', async () => {
      await expectLoadableModel(model, tf.loadLayersModel, [null, 64, 64, 3], [null, 64, 64, 1]);
    });

    it('writes history.csv with one row per epoch, loss and val_ columns', () => {
      expectHistory(path.join(out, 'history.csv'), 2, [
        'epoch',
        'loss',
        'val_loss',
        'val_diceCoefficient',
      ]);
    });

    it('writes config.json with the settings used', () => {
      expect(readJson(path.join(out, 'config.json'))).toMatchObject({
        program: PROGRAM,
        data,
        out,
        epochs: 2,
        batchSize: 4,
        imageSize: 64,
        seed: 11,
        valSplit: 0.2,
        channels: 3,
        loss: 'bceDiceLoss',
        resume: false,
      });
    });

    it('writes split.json: disjoint train and val ids covering the data', () => {
      const split = readJson<{ train: string[]; val: string[] }>(path.join(out, 'split.json'));
      expect(split.val.length).toBeGreaterThan(0);
      expect(split.train.length).toBeGreaterThan(0);
      expect([...split.train, ...split.val].sort()).toEqual([...NAMES].sort());
    });
  });

  describe('evaluate', () => {
    it('writes metrics.json (dice, iou, precision, recall) and one per_image row per image', async () => {
      const dir = path.join(tmp, 'eval-all');
      const r = await cli('evaluate', '--data', data, '--model', model, '--out', dir);
      expectOk(r);
      expectScored(dir, NAMES, ['dice', 'iou', 'precision', 'recall']);
    });

    it.each([
      ['images', 'masks'],
      ['images', 'labels'],
    ])('reads the %s/ + %s/ layout too', async (images, masks) => {
      const other = linkSubset(path.join(tmp, `layout-${masks}`), NAMES.slice(0, 2), [
        images,
        masks,
      ]);
      const dir = path.join(tmp, `eval-${masks}`);
      expectOk(await cli('evaluate', '--data', other, '--model', model, '--out', dir));
      expect(readCsv(path.join(dir, 'per_image.csv')).rows).toHaveLength(2);
    });
  });

  describe('predict', () => {
    it('on a file writes a 0/255 mask at the original size, and an overlay with --overlay', async () => {
      const input = path.join(data, 'image', '3.png');
      const dir = path.join(tmp, 'pred-file');
      expectOk(await cli('predict', '--input', input, '--model', model, '--out', dir, '--overlay'));
      const mask = path.join(dir, 'masks', '3.png');
      expect(await pngSize(input)).toMatchObject({ width: 512, height: 512 });
      await expectBinaryMask(mask, await pngSize(input));
      expect((await pngSize(path.join(dir, 'overlays', '3.png'))).format).toBe('png');
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
    });

    it('a folder without an images + masks pair', async () => {
      const half = path.join(tmp, 'image-only');
      linkFile(path.join(isbi, 'image', '0.png'), path.join(half, 'image', '0.png'));
      await expectTrainFailure(['--data', half], path.join(half, 'label'), /not found/);
      await expectTrainFailure(['--data', path.join(data, 'image')], /not found/);
    });

    it('an image without its mask', async () => {
      const partial = linkSubset(path.join(tmp, 'no-mask'), NAMES.slice(0, 4));
      fs.rmSync(path.join(partial, 'label', '2.png'));
      await expectTrainFailure(['--data', partial, '--image-size', '64'], /2\.png|'2'/);
    });

    it('an --image-size a depth-4 U-Net cannot take', async () => {
      await expectTrainFailure(
        ['--data', data, '--image-size', '100'],
        '--image-size 100',
        /multiple of .*16/,
      );
    });

    it('a corrupt image in the data', async () => {
      const broken = linkSubset(path.join(tmp, 'broken'), NAMES.slice(0, 4));
      const garbage = path.join(broken, 'image', 'garbage.png');
      fs.writeFileSync(garbage, Buffer.alloc(2048, 0x5a));
      linkFile(path.join(isbi, 'label', '4.png'), path.join(broken, 'label', 'garbage.png'));
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
        await cli(
          'predict',
          '--input',
          path.join(broken, 'image'),
          '--model',
          model,
          '--out',
          unused(),
        ),
        garbage,
        reason,
      );
    });
  });

  // The readers of @unet/data list image files with Dirent.isFile(), which is false for symbolic
  it('reads image/ + label/ folders of symlinked files', async () => {
    const linked = path.join(tmp, 'symlinked');
    for (const dir of ['image', 'label']) {
      fs.mkdirSync(path.join(linked, dir), { recursive: true });
      for (const name of NAMES.slice(0, 2))
        fs.symlinkSync(path.join(isbi, dir, `${name}.png`), path.join(linked, dir, `${name}.png`));
    }
    expectOk(
      await cli(
        'evaluate',
        '--data',
        linked,
        '--model',
        model,
        '--out',
        path.join(tmp, 'eval-symlinked'),
      ),
    );
  });
});
