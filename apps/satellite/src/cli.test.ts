/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) on the SpaceNet Atlanta tile of
 * ../shared/data (900x900, one 16-bit band, 43 building polygons), linked (not copied) into a temp
 * folder as one scene: images/atlanta.tif + polygons/atlanta.geojson. Training cuts it into
 * 128x128 tiles; evaluate and predict segment the whole scene in tiles. Covers what is the
 * satellite app's own: its layout and reader errors (16-bit TIFF, polygons), training on tiles,
 * whole-scene tiled evaluate and predict, --split on tile ids, tiles at another --image-size. The
 * command-line contract every app shares (--help of train/evaluate/predict, usage errors,
 * --resume, curves.png, predict on a folder) is tested once, on a fake recipe, in packages/cli.
 * One small training (2 epochs) is shared.
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
  readJson,
} from '@unet/cli-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROGRAM = 'unet-satellite';
const appDir = fileURLToPath(new URL('..', import.meta.url));
const { setUp, tearDown, cli, expectOneLineError, expectTrainFailure, unused } = cliHarness({
  program: PROGRAM,
  appDir,
});
const repoRoot = path.resolve(appDir, '../..');
const dataRoot = path.resolve(repoRoot, '../shared/data');
const spacenet = path.join(dataRoot, 'spacenet-atlanta');
const SCENE = path.join(spacenet, 'sample_geotiff.tif');
const POLYGONS = path.join(spacenet, 'gj_to_px_result.geojson');
const hasData = fs.existsSync(SCENE) && fs.existsSync(POLYGONS);
if (!hasData) console.warn(`[${PROGRAM} cli.test] ${spacenet} not found: data tests skipped`);

/** The SpaceNet tile as one scene named `name`. */
function linkScene(dir: string, name = 'atlanta'): string {
  linkFile(SCENE, path.join(dir, 'images', `${name}.tif`));
  linkFile(POLYGONS, path.join(dir, 'polygons', `${name}.geojson`));
  return dir;
}

let tmp: string;
beforeAll(() => {
  tmp = setUp();
});

afterAll(tearDown);

describe('--help', () => {
  it('on the app lists every command and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await cli(flag);
      expectOk(r);
      for (const command of ['train', 'evaluate', 'predict'])
        expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });
});

describe.skipIf(!hasData)('on the SpaceNet Atlanta scene', () => {
  let data: string;
  let out: string;
  let model: string;
  let trained: CliResult;
  const trainArgs = () => [
    '--data',
    data,
    '--out',
    out,
    '--image-size',
    '128',
    '--batch-size',
    '4',
  ];

  beforeAll(async () => {
    data = linkScene(path.join(tmp, 'data'));
    out = path.join(tmp, 'run');
    model = path.join(out, 'model');
    trained = await cli('train', ...trainArgs(), '--epochs', '2', '--seed', '5');
  });

  describe('train', () => {
    it('exits 0, training on 128x128 tiles of the scene', () => {
      expectOk(trained);
      expect(trained.stderr).toMatch(/\d+ training and \d+ validation samples at 128x128/);
    });

    it('writes a loadable model in OUT/model', async () => {
      await expectLoadableModel(
        model,
        tf.loadLayersModel,
        [null, 128, 128, 3],
        [null, 128, 128, 1],
      );
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
        imageSize: 128,
        seed: 5,
        valSplit: 0.2,
        channels: 3,
        resume: false,
      });
    });

    it('writes split.json: disjoint sets of tile ids of the scene', () => {
      const split = readJson<{ train: string[]; val: string[] }>(path.join(out, 'split.json'));
      const all = [...split.train, ...split.val];
      expect(split.val.length).toBeGreaterThan(0);
      expect(new Set(all).size).toBe(all.length);
      // 900 px hold seven whole 128 px tiles per side.
      expect(all).toHaveLength(49);
      for (const id of all) expect(id).toMatch(/^atlanta_x\d+_y\d+$/);
    });
  });

  describe('evaluate', () => {
    it('scores the whole scene: metrics.json in [0, 1] and one per_image row', async () => {
      const dir = path.join(tmp, 'eval-all');
      const r = await cli('evaluate', '--data', data, '--model', model, '--out', dir);
      expectOk(r);
      expectScored(dir, ['atlanta'], ['dice', 'iou', 'precision', 'recall']);
      // The SpaceNet building score against the scene's 43 footprints.
      const { buildings } = readJson<{
        buildings: { tp: number; fn: number; precision: number; recall: number; f1: number };
      }>(path.join(dir, 'metrics.json'));
      expect(buildings.tp + buildings.fn).toBe(43);
      for (const v of [buildings.precision, buildings.recall, buildings.f1]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    });

    it('--split OUT/split.json scores only the validation tiles', async () => {
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
    it('on the scene file writes a 0/255 mask at its full 900x900 size, and an overlay', async () => {
      const input = path.join(data, 'images', 'atlanta.tif');
      const dir = path.join(tmp, 'pred-file');
      expectOk(await cli('predict', '--input', input, '--model', model, '--out', dir, '--overlay'));
      const mask = path.join(dir, 'masks', 'atlanta.png');
      const scene = await pngSize(input);
      expect(scene).toMatchObject({ width: 900, height: 900 });
      await expectBinaryMask(mask, {
        format: 'png',
        width: scene.width,
        height: scene.height,
      });
      expect((await pngSize(path.join(dir, 'overlays', 'atlanta.png'))).format).toBe('png');
      // Outlines as GeoJSON, in pixels and, the scene being a GeoTIFF, in UTM 16N metres.
      const pixels = readJson<{ type: string; features: unknown[] }>(
        path.join(dir, 'polygons', 'atlanta.geojson'),
      );
      expect(pixels.type).toBe('FeatureCollection');
      const map = readJson<{ crs: { properties: { name: string } } }>(
        path.join(dir, 'polygons', 'atlanta.map.geojson'),
      );
      expect(map.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::32616');
    });
  });

  describe('--config', () => {
    it('FILE.json sets flags, flags given win, and tiles follow --image-size', async () => {
      const file = path.join(tmp, 'settings.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          data,
          epochs: 1,
          'batch-size': 8,
          imageSize: 128,
          seed: 2,
          valSplit: 0.5,
        }),
      );
      const dir = path.join(tmp, 'run-config');
      expectOk(
        await cli(
          'train',
          '--config',
          file,
          '--out',
          dir,
          '--image-size',
          '256',
          '--batch-size',
          '2',
        ),
      );
      expect(readJson(path.join(dir, 'config.json'))).toMatchObject({
        data,
        epochs: 1,
        batchSize: 2,
        imageSize: 256,
        seed: 2,
        valSplit: 0.5,
      });
      const split = readJson<{ train: string[]; val: string[] }>(path.join(dir, 'split.json'));
      expect(split.train.length + split.val.length).toBe(9); // 3 x 3 tiles of 256
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

    it('a folder without polygons/', async () => {
      const partial = path.join(tmp, 'no-polygons');
      linkFile(SCENE, path.join(partial, 'images', 'atlanta.tif'));
      await expectTrainFailure(['--data', partial], path.join(partial, 'polygons'), /not found/);
    });

    it('a scene without its polygon file', async () => {
      const partial = linkScene(path.join(tmp, 'no-polygon-file'));
      linkFile(SCENE, path.join(partial, 'images', 'lonely.tif'));
      await expectTrainFailure(
        ['--data', partial],
        path.join(partial, 'images', 'lonely.tif'),
        /no polygon/,
      );
    });

    it('an --image-size a depth-4 U-Net cannot take', async () => {
      await expectTrainFailure(
        ['--data', data, '--image-size', '100'],
        '--image-size 100',
        /multiple of .*16/,
      );
    });

    it('an --image-size larger than the scene', async () => {
      await expectTrainFailure(
        ['--data', data, '--image-size', '1024'],
        /smaller than one 1024x1024 tile/,
      );
    });

    it('a corrupt scene in the data', async () => {
      const broken = linkScene(path.join(tmp, 'broken'));
      const garbage = path.join(broken, 'images', 'garbage.tif');
      fs.writeFileSync(garbage, Buffer.concat([Buffer.from('II*\0'), Buffer.alloc(600, 7)]));
      linkFile(POLYGONS, path.join(broken, 'polygons', 'garbage.geojson'));
      const reason = /decode|corrupt|not an image|cannot read/;
      await expectTrainFailure(
        ['--data', broken, '--epochs', '1', '--image-size', '128'],
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
          path.join(broken, 'images'),
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

  // Datasets are often assembled from links to files kept elsewhere.
  it('reads a scene whose files are symlinks', async () => {
    const linked = path.join(tmp, 'symlinked');
    fs.mkdirSync(path.join(linked, 'images'), { recursive: true });
    fs.mkdirSync(path.join(linked, 'polygons'), { recursive: true });
    fs.symlinkSync(SCENE, path.join(linked, 'images', 'atlanta.tif'));
    fs.symlinkSync(POLYGONS, path.join(linked, 'polygons', 'atlanta.geojson'));
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
