/**
 * `unet-folder train --classes FILE.json`: an images/ + masks/ folder whose masks hold class
 * indices (a few CamVid sample images linked into that layout) trains K softmax classes, and
 * evaluate/predict of the saved model score and draw them per class.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appCli, expectOk, linkFile, readCsv, readJson } from '@unet/cli-test-support';
import { CAMVID_CLASSES, classListToJson } from '@unet/data';
import { describe, expect, it } from 'vitest';

const app = appCli('unet-folder', import.meta.url);
const { root: camvid, hasData } = app.sharedData('camvid', 'valannot');

describe.skipIf(!hasData)('--classes on an images/ + masks/ folder of class indices', () => {
  it('trains 11 classes, saves the list with the model and scores per class', async () => {
    const data = app.at('data');
    const names = fs.readdirSync(path.join(camvid, 'val')).sort().slice(0, 5);
    for (const name of names) {
      linkFile(path.join(camvid, 'val', name), path.join(data, 'images', name));
      linkFile(path.join(camvid, 'valannot', name), path.join(data, 'masks', name));
    }
    const classes = app.at('classes.json');
    fs.writeFileSync(classes, classListToJson(CAMVID_CLASSES));
    const out = app.at('run');
    const trained = await app.run('train', {
      data,
      out,
      classes,
      'image-size': '32x48',
      epochs: 1,
      'batch-size': 2,
      'val-split': 0.4,
    });
    expectOk(trained);
    expect(trained.stderr).toContain('at 32x48, 11 classes');
    expect(readJson(path.join(out, 'config.json'))).toMatchObject({
      loss: 'sparseCategoricalCrossentropy_unet_folder',
      classWeights: null,
    });
    expect(fs.existsSync(path.join(out, 'model', 'classes.json'))).toBe(true);
    const evalDir = app.at('eval');
    expectOk(await app.run('evaluate', { data, model: path.join(out, 'model'), out: evalDir }));
    expect(readJson(path.join(evalDir, 'metrics.json'))).toHaveProperty('miou');
    expect(readCsv(path.join(evalDir, 'per_class.csv')).rows).toHaveLength(11);
  }, 180_000);

  it('refuses a class list that is not one', async () => {
    const bad = app.at('bad.json');
    fs.writeFileSync(bad, JSON.stringify({ classes: [{ name: 'a' }], ignoreIndx: 3 }));
    await app.expectTrainFailure(['--data', app.at(), '--classes', bad], '--classes', 'bad.json');
  });
});
