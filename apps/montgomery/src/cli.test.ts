/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) on generated fixtures in the
 * Montgomery layout (the set itself may not be redistributed): CXR_png/<name>.png grey X-rays and
 * ManualMask/{leftMask,rightMask}/<name>.png {0,255} lung masks, in portrait and landscape sizes.
 * Covers what is Montgomery's own: its layout and reader errors, the grey-input model, its loss,
 * metrics and defaults, original-size outputs. The command-line contract every app shares
 * (--help of train/evaluate/predict, usage errors, --resume, --config, --split, curves.png,
 * predict on a folder) is tested once, on a fake recipe, in packages/cli. One small training
 * (2 epochs at 64x64) is shared by the tests.
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
  pixelValues,
  pngSize,
  readJson,
} from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROGRAM = 'unet-montgomery';
const appDir = fileURLToPath(new URL('..', import.meta.url));
const { setUp, tearDown, cli, expectOneLineError, expectTrainFailure, unused } = cliHarness({
  program: PROGRAM,
  appDir,
});

/** Portrait and landscape sizes, as in the real set (4020x4892 or 4892x4020), scaled down. */
const SIZES: [number, number][] = [
  [150, 180],
  [180, 150],
  [150, 180],
  [180, 150],
  [160, 160],
  [150, 180],
];
const NAMES = SIZES.map((_, i) => `MCUCXR_${String(i).padStart(4, '0')}_${i % 2}.png`);
const ids = NAMES.map((n) => path.basename(n, '.png'));

/** A chest-X-ray-like fixture: two dark lung ellipses (the masks) on a brighter, textured body. */
async function writeFixtures(root: string): Promise<string> {
  for (const [i, [width, height]] of SIZES.entries()) {
    const image = new Float32Array(width * height);
    const left = new Float32Array(width * height);
    const right = new Float32Array(width * height);
    const cy = height * (0.5 + 0.03 * (i - 2));
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const k = y * width + x;
        const inside = (cx: number) =>
          ((x - cx * width) / (0.15 * width)) ** 2 + ((y - cy) / (0.3 * height)) ** 2 < 1;
        left[k] = inside(0.68) ? 1 : 0; // the patient's left is on the image's right
        right[k] = inside(0.32) ? 1 : 0;
        image[k] =
          (left[k] || right[k] ? 0.25 : 0.7) + 0.1 * Math.sin(0.3 * x + i) * Math.cos(0.2 * y);
      }
    const raster = (data: Float32Array) => ({ data, width, height, channels: 1 });
    await encodePng(path.join(root, 'CXR_png', NAMES[i]!), raster(image));
    await encodePng(path.join(root, 'ManualMask', 'leftMask', NAMES[i]!), raster(left));
    await encodePng(path.join(root, 'ManualMask', 'rightMask', NAMES[i]!), raster(right));
  }
  return root;
}

let tmp: string;
let data: string;
beforeAll(async () => {
  tmp = setUp();
  data = await writeFixtures(path.join(tmp, 'data'));
});

afterAll(tearDown);

describe('fixtures', () => {
  it('are in the Montgomery layout: grey X-rays and {0,255} masks of the same size', async () => {
    for (const name of NAMES) {
      const size = await pngSize(path.join(data, 'CXR_png', name));
      for (const side of ['leftMask', 'rightMask']) {
        const mask = path.join(data, 'ManualMask', side, name);
        expect(await pngSize(mask)).toEqual(size);
        expect([...(await pixelValues(mask))].sort((a, b) => a - b)).toEqual([0, 255]);
      }
    }
  });
});

describe('--help', () => {
  it('on the app lists every command and exits 0', async () => {
    const r = await cli('--help');
    expectOk(r);
    for (const command of ['train', 'evaluate', 'predict'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('train --help shows the Montgomery defaults (256x256)', async () => {
    expect((await cli('train', '--help')).stdout).toMatch(/--image-size N\|HxW .*default 256/);
  });
});

describe('on Montgomery fixtures', () => {
  let out: string;
  let model: string;
  let trained: CliResult;
  const trainArgs = () => ['--data', data, '--out', out, '--image-size', '64', '--batch-size', '4'];

  beforeAll(async () => {
    out = path.join(tmp, 'run');
    model = path.join(out, 'model');
    trained = await cli(
      'train',
      ...trainArgs(),
      '--epochs',
      '2',
      '--seed',
      '3',
      '--val-split',
      '0.34',
    );
  });

  describe('train', () => {
    it('exits 0', () => expectOk(trained));

    it('writes a loadable grey-input model in OUT/model', async () => {
      await expectLoadableModel(model, tf.loadLayersModel, [null, 64, 64, 1], [null, 64, 64, 1]);
    });

    it('writes history.csv with one row per epoch, loss and val_ columns', () => {
      expectHistory(path.join(out, 'history.csv'), 2, [
        'epoch',
        'loss',
        'val_loss',
        'val_diceCoefficient',
        'val_recall',
      ]);
    });

    it('writes config.json with the settings used (Dice + BCE loss, 1 channel)', () => {
      expect(readJson(path.join(out, 'config.json'))).toMatchObject({
        program: PROGRAM,
        data,
        out,
        epochs: 2,
        batchSize: 4,
        imageSize: 64,
        seed: 3,
        valSplit: 0.34,
        channels: 1,
        loss: 'bceDiceLoss',
        resume: false,
      });
    });

    it('writes split.json: disjoint train and val ids covering the data', () => {
      const split = readJson<{ train: string[]; val: string[] }>(path.join(out, 'split.json'));
      expect(split.val).toHaveLength(2);
      expect([...split.train, ...split.val].sort()).toEqual([...ids].sort());
    });
  });

  describe('evaluate', () => {
    it('writes metrics.json (dice, iou, precision, recall; no map) and one per_image row per image', async () => {
      const dir = path.join(tmp, 'eval-all');
      const r = await cli('evaluate', '--data', data, '--model', model, '--out', dir);
      expectOk(r);
      expect(readJson(path.join(dir, 'metrics.json'))).not.toHaveProperty('map');
      expectScored(dir, ids, ['dice', 'iou', 'precision', 'recall']);
    });
  });

  describe('predict', () => {
    it('on a file writes a 0/255 mask at the original size, and an overlay with --overlay', async () => {
      const input = path.join(data, 'CXR_png', NAMES[1]!);
      const dir = path.join(tmp, 'pred-file');
      expectOk(await cli('predict', '--input', input, '--model', model, '--out', dir, '--overlay'));
      const mask = path.join(dir, 'masks', NAMES[1]!);
      await expectBinaryMask(mask, { format: 'png', width: 180, height: 150 });
      expect((await pngSize(path.join(dir, 'overlays', NAMES[1]!))).format).toBe('png');
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

    it('a folder without the Montgomery layout', async () => {
      const partial = path.join(tmp, 'no-right-masks');
      fs.cpSync(data, partial, { recursive: true });
      fs.rmSync(path.join(partial, 'ManualMask', 'rightMask'), { recursive: true });
      await expectTrainFailure(['--data', partial, '--image-size', '64'], 'ManualMask/rightMask');
      await expectTrainFailure(['--data', path.join(partial, 'ManualMask')], 'CXR_png');
    });

    it('a mask missing for one image', async () => {
      const partial = path.join(tmp, 'missing-mask');
      fs.cpSync(data, partial, { recursive: true });
      const gone = path.join(partial, 'ManualMask', 'leftMask', NAMES[2]!);
      fs.rmSync(gone);
      await expectTrainFailure(['--data', partial, '--image-size', '64'], gone);
      expectOneLineError(
        await cli('evaluate', '--data', partial, '--model', model, '--out', unused()),
        gone,
      );
    });

    it('an --image-size a depth-4 U-Net cannot take', async () => {
      await expectTrainFailure(
        ['--data', data, '--image-size', '100'],
        '--image-size 100',
        /multiple of .*16/,
      );
    });

    it('a corrupt image in the data', async () => {
      const broken = path.join(tmp, 'broken');
      fs.cpSync(data, broken, { recursive: true });
      const garbage = path.join(broken, 'CXR_png', NAMES[3]!);
      fs.writeFileSync(garbage, Buffer.from('\x89PNG\r\n\x1a\n and then nothing that makes sense'));
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
          path.join(broken, 'CXR_png'),
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
});
