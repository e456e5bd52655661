import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type CheckpointInfo,
  CSVLogger,
  loadModel,
  loadWeightsInto,
  ModelCheckpoint,
  readCheckpointState,
  resolveCheckpointDir,
  writeCheckpointDir,
} from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fillWeights,
  firstWeight,
  readCsv,
  script,
  tempDir,
  tinyModel,
  useTensorflow,
} from './test-helpers.js';

beforeAll(useTensorflow);

describe('ModelCheckpoint', () => {
  it('saves only improvements of the monitored value, never an epoch with NaN loss', async () => {
    const dir = path.join(await tempDir('ckpt'), 'best');
    const model = tinyModel(1);
    const checkpoint = new ModelCheckpoint({ dir });
    const saved: number[] = [];
    const logs = [
      { loss: 1, val_loss: 0.5 }, // saved
      { loss: 1, val_loss: 0.4 }, // saved
      { loss: 1, val_loss: 0.45 }, // worse
      { loss: Number.NaN, val_loss: 0.1 }, // better, but the loss is NaN
      { loss: 1, val_loss: 0.3 }, // saved (0.3 < 0.4)
    ];
    await script(checkpoint, model, logs, {
      beforeEpochEnd: (epoch) => {
        fillWeights(model, epoch);
        if (epoch > 0) saved.push(checkpoint.lastSavedEpoch);
      },
    });
    saved.push(checkpoint.lastSavedEpoch);
    expect(saved).toEqual([0, 1, 1, 1, 4]);
    const info = await readCheckpointState<CheckpointInfo>(dir);
    expect(info).toMatchObject({ epoch: 4, monitor: 'val_loss', mode: 'min', score: 0.3 });
    const loaded = await loadModel(dir);
    expect(firstWeight(loaded)).toBe(4);
    // The files are the standard tfjs format: tfjs-node's file:// loader reads them too.
    const viaFile = await tf.loadLayersModel(`file://${dir}/model.json`);
    expect(firstWeight(viaFile)).toBe(4);
    loaded.dispose();
    viaFile.dispose();
  });

  it("saves every finite epoch with saveBestOnly: false and maximises 'val_dice'", async () => {
    const dir = path.join(await tempDir('ckpt-all'), 'm');
    const model = tinyModel(1);
    const every = new ModelCheckpoint({ dir, saveBestOnly: false, monitor: 'val_dice' });
    expect(every.monitor.mode).toBe('max');
    await script(every, model, [
      { loss: 1, val_dice: 0.9 },
      { loss: 1, val_dice: 0.1 },
    ]);
    expect(every.lastSavedEpoch).toBe(1);
  });
});

describe('atomic checkpoint folders', () => {
  it('replaces a folder atomically and recovers from writers killed at any step', async () => {
    const root = await tempDir('store');
    const dir = path.join(root, 'last');
    await writeCheckpointDir(dir, [{ name: 'a.txt', data: 'v1' }]);
    await writeCheckpointDir(dir, [{ name: 'a.txt', data: 'v2' }]);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('v2');
    expect((await fs.readdir(root)).sort()).toEqual(['last']);

    // Killed while writing the temporary folder: the complete 'last' is untouched.
    await fs.mkdir(path.join(root, '.last.tmp-999-1-abc'));
    await fs.writeFile(path.join(root, '.last.tmp-999-1-abc', 'a.txt'), 'half');
    expect(await resolveCheckpointDir(dir)).toBe(dir);

    // Killed between the two renames: only '.last.old' exists and is found.
    await fs.rename(dir, path.join(root, '.last.old'));
    expect(await resolveCheckpointDir(dir)).toBe(path.join(root, '.last.old'));
    expect(await fs.readFile(path.join((await resolveCheckpointDir(dir))!, 'a.txt'), 'utf8')).toBe(
      'v2',
    );

    // The next write cleans up both leftovers.
    await writeCheckpointDir(dir, [{ name: 'a.txt', data: 'v3' }]);
    expect((await fs.readdir(root)).sort()).toEqual(['last']);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('v3');

    // A failing write leaves the previous version as it was.
    await expect(
      writeCheckpointDir(dir, [
        { name: 'a.txt', data: 'v4' },
        { name: '../escape', data: 'x' },
      ]),
    ).rejects.toThrow(/must be a plain file name/);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('v3');
    expect(await resolveCheckpointDir(path.join(root, 'nothing'))).toBeNull();
  });

  it('a model saved into a folder killed between renames still loads', async () => {
    const root = await tempDir('store-model');
    const model = tinyModel(2);
    fillWeights(model, 0.25);
    const dir = path.join(root, 'best');
    await script(new ModelCheckpoint({ dir, saveBestOnly: false }), model, [{ loss: 1 }]);
    await fs.rename(dir, path.join(root, '.best.old'));
    const other = tinyModel(9);
    await loadWeightsInto(other, dir);
    expect(firstWeight(other)).toBe(0.25);
    await expect(loadWeightsInto(tinyModel(1, 3), dir)).rejects.toThrow(
      /has shape \[3,3,1,4\] in the checkpoint, \[3,3,3,4\] in the model/,
    );
  });
});

describe('CSVLogger', () => {
  it('writes a header and one row per epoch, Keras-style', async () => {
    const file = path.join(await tempDir('csv'), 'sub', 'log.csv');
    const logger = new CSVLogger({ path: file });
    await script(logger, tinyModel(), [
      { loss: 0.5, val_loss: 0.6, dice: 0.1 },
      { loss: 0.25, val_loss: 0.3, dice: 0.2 },
    ]);
    expect(await fs.readFile(file, 'utf8')).toBe(
      'epoch,dice,loss,val_loss\n0,0.1,0.5,0.6\n1,0.2,0.25,0.3\n',
    );
  });

  it('on resume drops rows from the resumed epoch on and any half-written line', async () => {
    const file = path.join(await tempDir('csv-resume'), 'log.csv');
    const rows = [0, 1, 2, 3, 4].map((e) => `${e},${e / 10}`).join('\n');
    await fs.writeFile(file, `epoch,loss\n${rows}\n5,0.`);
    await script(new CSVLogger({ path: file }), tinyModel(), [{ loss: 0.33 }, { loss: 0.44 }], {
      initialEpoch: 3,
    });
    const csv = await readCsv(file);
    expect(csv.rows).toEqual([
      ['0', '0'],
      ['1', '0.1'],
      ['2', '0.2'],
      ['3', '0.33'],
      ['4', '0.44'],
    ]);
  });

  it('extends the header when a new column appears, and restarts with append: false', async () => {
    const file = path.join(await tempDir('csv-cols'), 'log.csv');
    await script(new CSVLogger({ path: file }), tinyModel(), [{ loss: 1 }, { loss: 2, lr: 0.1 }]);
    expect(await fs.readFile(file, 'utf8')).toBe('epoch,loss,lr\n0,1,\n1,2,0.1\n');
    await script(new CSVLogger({ path: file, append: false }), tinyModel(), [{ loss: 3 }]);
    expect(await fs.readFile(file, 'utf8')).toBe('epoch,loss\n0,3\n');
  });
});
