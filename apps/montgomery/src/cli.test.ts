/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) on generated fixtures in the
 * Montgomery layout (the set itself may not be redistributed): CXR_png/<name>.png grey X-rays and
 * ManualMask/{leftMask,rightMask}/<name>.png {0,255} lung masks, in portrait and landscape sizes.
 * Covers train, evaluate, predict, --resume, --config, --help and bad input, with one small
 * training (2 epochs at 64x64) shared by the tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-node';
import {
  type CliResult,
  COMMAND_FLAGS,
  cliHarness,
  expectBinaryMask,
  expectCurves,
  expectHistory,
  expectLoadableModel,
  expectOk,
  expectScored,
  pixelValues,
  pngSize,
  readCsv,
  readJson,
} from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROGRAM = 'unet-montgomery';
const appDir = fileURLToPath(new URL('..', import.meta.url));
const { setUp, tearDown, cli, expectCommandHelp, expectOneLineError, expectTrainFailure, unused } =
  cliHarness({
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
  const FLAGS = COMMAND_FLAGS;

  it('on the app lists every command and exits 0', async () => {
    const r = await cli('--help');
    expectOk(r);
    for (const command of Object.keys(FLAGS))
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(Object.keys(FLAGS))('on %s lists its flags and exits 0', (command) =>
    expectCommandHelp(command, FLAGS[command]!),
  );

  it('train --help shows the Montgomery defaults (256x256)', async () => {
    expect((await cli('train', '--help')).stdout).toMatch(/--image-size N .*default 256/);
  });
});

describe('bad command line', () => {
  it('unknown command', async () => {
    const r = await cli('segment');
    expect(r.code).toBe(2);
    expectOneLineError(r, "unknown command 'segment'");
  });

  it('unknown flag', async () => {
    const r = await cli('predict', '--input', 'x', '--model', 'm', '--out', 'o', '--overlays');
    expect(r.code).toBe(2);
    expectOneLineError(r, '--overlays');
  });

  it.each([
    ['train', ['--data', 'x'], '--out'],
    ['evaluate', ['--model', 'm', '--out', 'y'], '--data'],
    ['predict', ['--input', 'x', '--model', 'm'], '--out'],
  ])('%s without a required flag', async (command, args, flag) => {
    const r = await cli(command, ...args);
    expect(r.code).toBe(2);
    expectOneLineError(r, `${flag} is required`);
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

    it('writes curves.png', async () => {
      await expectCurves(path.join(out, 'curves.png'));
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

    it('--split OUT/split.json scores only the validation ids', async () => {
      const dir = path.join(tmp, 'eval-val');
      const split = path.join(out, 'split.json');
      expectOk(
        await cli('evaluate', '--data', data, '--model', model, '--out', dir, '--split', split),
      );
      const { val } = readJson<{ val: string[] }>(split);
      expectScored(dir, val);
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

    it('on a folder writes one mask per image, each at its original size', async () => {
      const dir = path.join(tmp, 'pred-folder');
      const r = await cli(
        'predict',
        '--input',
        path.join(data, 'CXR_png'),
        '--model',
        model,
        '--out',
        dir,
      );
      expectOk(r);
      expect(fs.readdirSync(path.join(dir, 'masks')).sort()).toEqual([...NAMES].sort());
      expect(fs.existsSync(path.join(dir, 'overlays'))).toBe(false);
      for (const name of NAMES) {
        const mask = path.join(dir, 'masks', name);
        await expectBinaryMask(mask, await pngSize(path.join(data, 'CXR_png', name)));
      }
    });
  });

  describe('--config', () => {
    it('sets flags, and flags on the command line win', async () => {
      const file = path.join(tmp, 'settings.json');
      fs.writeFileSync(
        file,
        JSON.stringify({ data, epochs: 1, batchSize: 2, imageSize: 64, seed: 5, 'val-split': 0.5 }),
      );
      const dir = path.join(tmp, 'run-config');
      expectOk(await cli('train', '--config', file, '--out', dir, '--image-size', '32'));
      expect(readJson(path.join(dir, 'config.json'))).toMatchObject({
        data,
        epochs: 1,
        batchSize: 2,
        imageSize: 32,
        seed: 5,
        valSplit: 0.5,
      });
      expect(readCsv(path.join(dir, 'history.csv')).rows).toHaveLength(1);
      expect(readJson<{ val: string[] }>(path.join(dir, 'split.json')).val).toHaveLength(3);
      fs.rmSync(dir, { recursive: true }); // ~60 MB of checkpoints
    });

    it('that is not valid JSON fails', async () => {
      const file = path.join(tmp, 'broken-settings.json');
      fs.writeFileSync(file, '{ "epochs": 1, ');
      await expectTrainFailure(['--config', file], file);
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

    it('--model folder without model.json', async () => {
      const empty = path.join(tmp, 'empty-model');
      fs.mkdirSync(empty);
      expectOneLineError(
        await cli('evaluate', '--data', data, '--model', empty, '--out', unused()),
        'model.json',
      );
      expectOneLineError(
        await cli(
          'predict',
          '--input',
          path.join(data, 'CXR_png'),
          '--model',
          empty,
          '--out',
          unused(),
        ),
        'model.json',
      );
    });

    it('predict on an empty folder', async () => {
      const empty = path.join(tmp, 'no-images');
      fs.mkdirSync(empty);
      expectOneLineError(
        await cli('predict', '--input', empty, '--model', model, '--out', unused()),
        empty,
        /no images/,
      );
    });

    it('evaluate --split naming ids that are not in the data', async () => {
      const file = path.join(tmp, 'bad-split.json');
      fs.writeFileSync(file, JSON.stringify({ train: [], val: ['MCUCXR_9999_0'] }));
      expectOneLineError(
        await cli('evaluate', '--data', data, '--model', model, '--out', unused(), '--split', file),
        'MCUCXR_9999_0',
      );
    });

    it('train --split naming ids that are not in the data', async () => {
      const file = path.join(tmp, 'bad-train-split.json');
      fs.writeFileSync(file, JSON.stringify({ train: ids.slice(1), val: ['MCUCXR_9999_0'] }));
      await expectTrainFailure(['--data', data, '--split', file], 'MCUCXR_9999_0');
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

  // Last: it continues the shared run in place (its checkpoints are ~120 MB each to copy).
  describe('--resume', () => {
    it('train --resume --epochs 3 continues the 2-epoch run to 3 epochs', async () => {
      const before = readCsv(path.join(out, 'history.csv'));
      const r = await cli(
        'train',
        ...trainArgs(),
        '--epochs',
        '3',
        '--seed',
        '3',
        '--val-split',
        '0.34',
        '--resume',
      );
      expectOk(r);
      expect(r.stderr).toMatch(/epoch 3\/3/);
      expect(r.stderr).not.toMatch(/epoch [12]\/3/);
      const after = readCsv(path.join(out, 'history.csv'));
      expect(after.header).toEqual(before.header);
      expect(after.rows.map((row) => Number(row[0]))).toEqual([0, 1, 2]);
      expect(after.rows.slice(0, 2)).toEqual(before.rows);
      expect(readJson(path.join(out, 'config.json'))).toMatchObject({ epochs: 3, resume: true });
      const loaded = await tf.loadLayersModel(`file://${path.join(model, 'model.json')}`);
      loaded.dispose();
    });
  });
});
