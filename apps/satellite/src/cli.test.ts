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
import * as tf from '@tensorflow/tfjs-node';
import {
  appCli,
  describeTrainedApp,
  expectOk,
  expectScored,
  itListsCommands,
  linkFile,
  readJson,
  type Split,
} from '@unet/cli-test-support';
import { describe, expect, it } from 'vitest';

const app = appCli('unet-satellite', import.meta.url);
const { root: spacenet } = app.sharedData('spacenet-atlanta');
const SCENE = path.join(spacenet, 'sample_geotiff.tif');
const POLYGONS = path.join(spacenet, 'gj_to_px_result.geojson');
const hasData = fs.existsSync(SCENE) && fs.existsSync(POLYGONS);

/** The SpaceNet tile as one scene named `name`. */
function linkScene(dir: string, name = 'atlanta'): string {
  linkFile(SCENE, path.join(dir, 'images', `${name}.tif`));
  linkFile(POLYGONS, path.join(dir, 'polygons', `${name}.geojson`));
  return dir;
}

describe('--help', () => {
  itListsCommands(app, ['train', 'evaluate', 'predict'], { flags: ['--help', '-h', 'help'] });
});

describeTrainedApp(app, {
  title: 'on the SpaceNet Atlanta scene',
  hasData,
  prepare: () => linkScene(app.at('data')),
  trainFlags: { 'image-size': 128, 'batch-size': 4, epochs: 2, seed: 5 },
  trainLog: {
    title: 'exits 0, training on 128x128 tiles of the scene',
    pattern: /\d+ training and \d+ validation samples at 128x128/,
  },
  load: tf.loadLayersModel,
  shapes: [
    [null, 128, 128, 3],
    [null, 128, 128, 1],
  ],
  history: { columns: ['epoch', 'loss', 'val_loss', 'val_diceCoefficient'] },
  config: { epochs: 2, batchSize: 4, imageSize: 128, seed: 5, valSplit: 0.2, channels: 3 },
  split: {
    title: 'writes split.json: disjoint sets of tile ids of the scene',
    check: (split) => {
      const all = [...split.train, ...split.val];
      expect(split.val.length).toBeGreaterThan(0);
      expect(new Set(all).size).toBe(all.length);
      // 900 px hold seven whole 128 px tiles per side.
      expect(all).toHaveLength(49);
      for (const id of all) expect(id).toMatch(/^atlanta_x\d+_y\d+$/);
    },
  },
  evaluate: {
    title: 'scores the whole scene: metrics.json in [0, 1] and one per_image row',
    ids: () => ['atlanta'],
    metrics: ['dice', 'iou', 'precision', 'recall'],
    check: (dir) => {
      // The SpaceNet building score against the scene's 43 footprints.
      const { buildings } = readJson<{
        buildings: { tp: number; fn: number; precision: number; recall: number; f1: number };
      }>(path.join(dir, 'metrics.json'));
      expect(buildings.tp + buildings.fn).toBe(43);
      for (const v of [buildings.precision, buildings.recall, buildings.f1]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    },
  },
  predict: {
    title: 'on the scene file writes a 0/255 mask at its full 900x900 size, and an overlay',
    input: ({ data }) => path.join(data, 'images', 'atlanta.tif'),
    name: 'atlanta.png',
    inputSize: { width: 900, height: 900 },
    check: (dir) => {
      // Outlines as GeoJSON, in pixels and, the scene being a GeoTIFF, in UTM 16N metres.
      const pixels = readJson<{ type: string; features: unknown[] }>(
        path.join(dir, 'polygons', 'atlanta.geojson'),
      );
      expect(pixels.type).toBe('FeatureCollection');
      const map = readJson<{ crs: { properties: { name: string } } }>(
        path.join(dir, 'polygons', 'atlanta.map.geojson'),
      );
      expect(map.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::32616');
    },
  },
  badInput: {
    corruptTitle: 'a corrupt scene in the data',
    imageSize: 128,
    reason: /decode|corrupt|not an image|cannot read/,
    corrupt: () => {
      const broken = linkScene(app.at('broken'));
      const garbage = path.join(broken, 'images', 'garbage.tif');
      fs.writeFileSync(garbage, Buffer.concat([Buffer.from('II*\0'), Buffer.alloc(600, 7)]));
      linkFile(POLYGONS, path.join(broken, 'polygons', 'garbage.geojson'));
      return { broken, garbage, images: path.join(broken, 'images') };
    },
  },
  symlinked: {
    title: 'reads a scene whose files are symlinks',
    make: () => linkScene(app.at('symlinked')),
  },
  more: (run) => {
    it('evaluate --split OUT/split.json scores only the validation tiles', async () => {
      const dir = app.at('eval-val');
      const split = path.join(run.out, 'split.json');
      expectOk(await app.run('evaluate', { data: run.data, model: run.model, out: dir, split }));
      expectScored(dir, readJson<Split>(split).val);
    });

    it('train --config FILE.json sets flags, flags given win, and tiles follow --image-size', async () => {
      const file = app.at('settings.json');
      const settings = { epochs: 1, 'batch-size': 8, imageSize: 128, seed: 2, valSplit: 0.5 };
      fs.writeFileSync(file, JSON.stringify({ data: run.data, ...settings }));
      const dir = app.at('run-config');
      const flags = { config: file, out: dir, 'image-size': 256, 'batch-size': 2 };
      expectOk(await app.run('train', flags));
      expect(readJson(path.join(dir, 'config.json'))).toMatchObject({
        data: run.data,
        epochs: 1,
        batchSize: 2,
        imageSize: 256,
        seed: 2,
        valSplit: 0.5,
      });
      const split = readJson<Split>(path.join(dir, 'split.json'));
      expect(split.train.length + split.val.length).toBe(9); // 3 x 3 tiles of 256
    });

    describe('bad input', () => {
      it('a folder without polygons/', async () => {
        const partial = app.at('no-polygons');
        linkFile(SCENE, path.join(partial, 'images', 'atlanta.tif'));
        const polygons = path.join(partial, 'polygons');
        await app.expectTrainFailure(['--data', partial], polygons, /not found/);
      });

      it('a scene without its polygon file', async () => {
        const partial = linkScene(app.at('no-polygon-file'));
        const lonely = path.join(partial, 'images', 'lonely.tif');
        linkFile(SCENE, lonely);
        await app.expectTrainFailure(['--data', partial], lonely, /no polygon/);
      });

      it('an --image-size larger than the scene', async () => {
        const args = ['--data', run.data, '--image-size', '1024'];
        await app.expectTrainFailure(args, /smaller than one 1024x1024 tile/);
      });
    });
  },
});
