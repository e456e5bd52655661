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
import * as tf from '@tensorflow/tfjs-node';
import {
  appCli,
  describeTrainedApp,
  expectOk,
  expectSplitCovers,
  itListsCommands,
  readCsv,
  readJson,
} from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { describe, expect, it } from 'vitest';

const app = appCli('unet-dsb2018', import.meta.url);
const { root: stage, hasData } = app.sharedData('dsb2018/stage1_train');

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

describe('--help', () => {
  itListsCommands(app, ['train', 'evaluate', 'predict', 'demo'], {
    title: 'on the app lists every command, the demo too,',
  });

  it('on demo lists its flags and exits 0', () =>
    app.expectCommandHelp('demo', ['out', 'epochs', 'images', 'backend']));
});

describeTrainedApp(app, {
  title: 'on a DSB2018 subset',
  hasData,
  prepare: () => linkSubset(app.at('data'), IDS),
  trainFlags: { epochs: 2, 'image-size': 64, 'batch-size': 4, seed: 7 },
  load: tf.loadLayersModel,
  shapes: [
    [null, 64, 64, 3],
    [null, 64, 64, 1],
  ],
  history: {
    columns: ['epoch', 'loss', 'val_loss'],
    check: (file) => expect(readCsv(file).header.some((c) => c.startsWith('val_dice'))).toBe(true),
  },
  config: { epochs: 2, batchSize: 4, imageSize: 64, seed: 7, valSplit: 0.2, channels: 3 },
  configCheck: (config) => {
    for (const key of ['backend', 'learningRate', 'loss', 'patience'])
      expect(config).toHaveProperty(key);
  },
  split: { check: (split) => expectSplitCovers(split, IDS) },
  evaluate: {
    title:
      'writes metrics.json (dice, iou, precision, recall, map) and one per_image row per image',
    ids: () => IDS,
    metrics: ['dice', 'iou', 'precision', 'recall', 'map'],
    check: (dir, r) => {
      expect(r.stderr).toMatch(/dice\s+\d\.\d{4}/);
      // The instance split beside connected components, with its settings (defaults: no
      // postprocess.json beside the model yet).
      const metrics = readJson<Record<string, unknown>>(path.join(dir, 'metrics.json'));
      expect(metrics.map_split).toBeGreaterThanOrEqual(0);
      expect(metrics.map_split).toBeLessThanOrEqual(1);
      expect(metrics.split).toMatchObject({ h: 1, minArea: 10, source: 'defaults' });
      expect(metrics.tta).toBe('off');
    },
  },
  predict: {
    input: ({ data }) => imageOf(data, IDS[0]!),
    name: `${IDS[0]}.png`,
    inputSize: { width: 320, height: 256 },
  },
  badInput: {
    predictMissing: true,
    imageSize: 64,
    corrupt: async () => {
      const broken = linkSubset(app.at('broken'), IDS.slice(0, 3));
      const garbage = path.join(broken, 'garbage', 'images', 'garbage.png');
      fs.mkdirSync(path.dirname(garbage), { recursive: true });
      fs.writeFileSync(garbage, Buffer.from('definitely not a PNG file, just some garbage bytes'));
      await encodePng(path.join(broken, 'garbage', 'masks', 'm.png'), {
        data: new Float32Array(64 * 64).fill(1),
        width: 64,
        height: 64,
        channels: 1,
      });
      return { broken, garbage, images: path.dirname(garbage) };
    },
  },
  symlinked: {
    title: 'reads a data folder whose sample folders are symlinks',
    make: () => {
      const linked = app.at('linked');
      fs.mkdirSync(linked);
      for (const id of IDS.slice(0, 2))
        fs.symlinkSync(path.join(stage, id), path.join(linked, id), 'dir');
      return linked;
    },
  },
  more: (run) => {
    describe('bad input', () => {
      it('a folder without the DSB2018 layout', async () => {
        const flat = app.at('flat');
        fs.mkdirSync(flat);
        fs.symlinkSync(imageOf(run.data, IDS[2]!), path.join(flat, 'a.png'));
        await app.expectTrainFailure(
          ['--data', flat, '--image-size', '64'],
          flat,
          /no sample folders/,
        );
      });
    });
  },
});

describe('demo (generates its own data)', () => {
  it('generates data, trains, evaluates and predicts end to end', async () => {
    const dir = app.at('demo');
    expectOk(await app.run('demo', { out: dir, epochs: 1, images: 8 }));
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
