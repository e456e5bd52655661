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
import * as tf from '@tensorflow/tfjs-node';
import {
  appCli,
  describeTrainedApp,
  expectOk,
  expectSplitCovers,
  itListsCommands,
  linkFile,
  readCsv,
} from '@unet/cli-test-support';
import { describe, expect, it } from 'vitest';

const app = appCli('unet-folder', import.meta.url);
const { root: isbi, hasData } = app.sharedData('isbi2012/train', 'image');

const NAMES = ['0', '1', '2', '3', '4', '5'];

/** An images + masks folder pair of `names` from ISBI 2012, under the given folder names. */
function linkSubset(dir: string, names: string[], [images, masks] = ['image', 'label']): string {
  for (const name of names) {
    linkFile(path.join(isbi, 'image', `${name}.png`), path.join(dir, images!, `${name}.png`));
    linkFile(path.join(isbi, 'label', `${name}.png`), path.join(dir, masks!, `${name}.png`));
  }
  return dir;
}

describe('--help', () => {
  itListsCommands(app, ['train', 'evaluate', 'predict'], {
    title: 'on the app lists every command and the accepted layouts,',
    contains: ['image/ + label/'],
  });
});

describeTrainedApp(app, {
  title: 'on an ISBI 2012 subset',
  hasData,
  prepare: () => linkSubset(app.at('data'), NAMES),
  trainFlags: { 'image-size': 64, 'batch-size': 4, epochs: 2, seed: 11 },
  load: tf.loadLayersModel,
  shapes: [
    [null, 64, 64, 3],
    [null, 64, 64, 1],
  ],
  history: { columns: ['epoch', 'loss', 'val_loss', 'val_diceCoefficient'] },
  config: {
    epochs: 2,
    batchSize: 4,
    imageSize: 64,
    seed: 11,
    valSplit: 0.2,
    channels: 3,
    loss: 'bceDiceLoss',
  },
  split: { check: (split) => expectSplitCovers(split, NAMES) },
  evaluate: {
    title: 'writes metrics.json (dice, iou, precision, recall) and one per_image row per image',
    ids: () => NAMES,
    metrics: ['dice', 'iou', 'precision', 'recall'],
  },
  predict: {
    input: ({ data }) => path.join(data, 'image', '3.png'),
    name: '3.png',
    inputSize: { width: 512, height: 512 },
  },
  badInput: {
    imageSize: 64,
    corrupt: () => {
      const broken = linkSubset(app.at('broken'), NAMES.slice(0, 4));
      const garbage = path.join(broken, 'image', 'garbage.png');
      fs.writeFileSync(garbage, Buffer.alloc(2048, 0x5a));
      linkFile(path.join(isbi, 'label', '4.png'), path.join(broken, 'label', 'garbage.png'));
      return { broken, garbage, images: path.join(broken, 'image') };
    },
  },
  // The readers of @unet/data list image files with Dirent.isFile(), which is false for symbolic
  // links: they must follow them.
  symlinked: {
    title: 'reads image/ + label/ folders of symlinked files',
    make: () => linkSubset(app.at('symlinked'), NAMES.slice(0, 2)),
  },
  more: (run) => {
    it.each([
      ['images', 'masks'],
      ['images', 'labels'],
    ])('evaluate reads the %s/ + %s/ layout too', async (images, masks) => {
      const other = linkSubset(app.at(`layout-${masks}`), NAMES.slice(0, 2), [images, masks]);
      const dir = app.at(`eval-${masks}`);
      expectOk(await app.run('evaluate', { data: other, model: run.model, out: dir }));
      expect(readCsv(path.join(dir, 'per_image.csv')).rows).toHaveLength(2);
    });

    describe('bad input', () => {
      it('a folder without an images + masks pair', async () => {
        const half = app.at('image-only');
        linkFile(path.join(isbi, 'image', '0.png'), path.join(half, 'image', '0.png'));
        await app.expectTrainFailure(['--data', half], path.join(half, 'label'), /not found/);
        await app.expectTrainFailure(['--data', path.join(run.data, 'image')], /not found/);
      });

      it('an image without its mask', async () => {
        const partial = linkSubset(app.at('no-mask'), NAMES.slice(0, 4));
        fs.rmSync(path.join(partial, 'label', '2.png'));
        await app.expectTrainFailure(['--data', partial, '--image-size', '64'], /2\.png|'2'/);
      });
    });
  },
});
