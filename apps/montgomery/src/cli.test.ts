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
import * as tf from '@tensorflow/tfjs-node';
import {
  appCli,
  describeTrainedApp,
  expectSplitCovers,
  itListsCommands,
  pixelValues,
  pngSize,
  readJson,
} from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { beforeAll, describe, expect, it } from 'vitest';

const app = appCli('unet-montgomery', import.meta.url);

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

let data: string;
beforeAll(async () => {
  data = await writeFixtures(app.at('data'));
});

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
  itListsCommands(app, ['train', 'evaluate', 'predict']);

  it('train --help shows the Montgomery defaults (256x256)', async () => {
    expect((await app.cli('train', '--help')).stdout).toMatch(/--image-size N\|HxW .*default 256/);
  });
});

/** A copy of the fixtures under `name`. */
function copyData(name: string): string {
  const copy = app.at(name);
  fs.cpSync(data, copy, { recursive: true });
  return copy;
}

describeTrainedApp(app, {
  title: 'on Montgomery fixtures',
  hasData: true,
  prepare: () => data,
  trainFlags: { 'image-size': 64, 'batch-size': 4, epochs: 2, seed: 3, 'val-split': 0.34 },
  load: tf.loadLayersModel,
  shapes: [
    [null, 64, 64, 1],
    [null, 64, 64, 1],
  ],
  history: { columns: ['epoch', 'loss', 'val_loss', 'val_diceCoefficient', 'val_recall'] },
  configTitle: 'writes config.json with the settings used (Dice + BCE loss, 1 channel)',
  config: {
    epochs: 2,
    batchSize: 4,
    imageSize: 64,
    seed: 3,
    valSplit: 0.34,
    channels: 1,
    loss: 'bceDiceLoss',
  },
  split: { check: (split) => expectSplitCovers(split, ids, 2) },
  evaluate: {
    title:
      'writes metrics.json (dice, iou, precision, recall; no map) and one per_image row per image',
    ids: () => ids,
    metrics: ['dice', 'iou', 'precision', 'recall'],
    check: (dir) => expect(readJson(path.join(dir, 'metrics.json'))).not.toHaveProperty('map'),
  },
  predict: {
    input: () => path.join(data, 'CXR_png', NAMES[1]!),
    name: NAMES[1]!,
    inputSize: { width: 180, height: 150 },
  },
  badInput: {
    imageSize: 64,
    corrupt: () => {
      const broken = copyData('broken');
      const garbage = path.join(broken, 'CXR_png', NAMES[3]!);
      fs.writeFileSync(garbage, Buffer.from('\x89PNG\r\n\x1a\n and then nothing that makes sense'));
      return { broken, garbage, images: path.join(broken, 'CXR_png') };
    },
  },
  symlinked: {
    title: 'reads a data folder of symlinked files',
    make: () => {
      const linked = app.at('symlinked');
      for (const dir of ['CXR_png', 'ManualMask/leftMask', 'ManualMask/rightMask'])
        for (const name of NAMES.slice(0, 2)) {
          fs.mkdirSync(path.join(linked, dir), { recursive: true });
          fs.symlinkSync(path.join(data, dir, name), path.join(linked, dir, name));
        }
      return linked;
    },
  },
  more: (run) => {
    describe('bad input', () => {
      it('a folder without the Montgomery layout', async () => {
        const partial = copyData('no-right-masks');
        fs.rmSync(path.join(partial, 'ManualMask', 'rightMask'), { recursive: true });
        await app.expectTrainFailure(
          ['--data', partial, '--image-size', '64'],
          'ManualMask/rightMask',
        );
        await app.expectTrainFailure(['--data', path.join(partial, 'ManualMask')], 'CXR_png');
      });

      it('a mask missing for one image', async () => {
        const partial = copyData('missing-mask');
        const gone = path.join(partial, 'ManualMask', 'leftMask', NAMES[2]!);
        fs.rmSync(gone);
        await app.expectTrainFailure(['--data', partial, '--image-size', '64'], gone);
        const r = await app.run('evaluate', { data: partial, model: run.model, out: app.unused() });
        app.expectOneLineError(r, gone);
      });
    });
  },
});
