/**
 * --resume of a many-class run (built CLI, CamVid sample): a run stopped after epoch 1 and
 * resumed to epoch 2 keeps its class list, class weights and sparse loss, and lands where an
 * uninterrupted 2-epoch run lands.
 */
import path from 'node:path';
import { readModelClasses } from '@unet/cli';
import { appCli, expectOk, readCsv, readJson } from '@unet/cli-test-support';
import { loadModel } from '@unet/train';
import { describe, expect, it } from 'vitest';
import { linkSubset } from './sample-data.js';

const app = appCli('unet-camvid', import.meta.url);
const { cli } = app;
const { root: camvid, hasData } = app.sharedData('camvid', 'trainannot');

describe.skipIf(!hasData)('--resume of an 11-class run', () => {
  const train = (data: string, out: string, epochs: number, ...extra: string[]) =>
    cli(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--image-size',
      '48x64',
      '--batch-size',
      '4',
      '--epochs',
      String(epochs),
      '--patience',
      '0',
      ...extra,
    );
  const lossesOf = (out: string) => {
    const { header, rows } = readCsv(path.join(out, 'history.csv'));
    return rows.map((r) => ({
      loss: Number(r[header.indexOf('loss')]),
      miou: Number(r[header.indexOf('val_miou')]),
    }));
  };

  it('continues at epoch 2 with the same classes, weights and loss as an unbroken run', async () => {
    const data = app.at('data');
    linkSubset(camvid, data, 'train', 8);
    linkSubset(camvid, data, 'val', 3);
    const straight = app.at('straight');
    const resumed = app.at('resumed');
    expectOk(await train(data, straight, 2));
    expectOk(await train(data, resumed, 1));
    const again = await train(data, resumed, 2, '--resume');
    expectOk(again);
    expect(again.stderr).toMatch(/resume: .* holds epoch 1 .*continuing at epoch 2\/2/);

    const [a, b] = [
      readJson(path.join(straight, 'config.json')),
      readJson(path.join(resumed, 'config.json')),
    ];
    expect(b.classWeights).toEqual(a.classWeights);
    expect(b.loss).toBe('sparseCategoricalCrossentropy_unet_camvid');
    const [la, lb] = [lossesOf(straight), lossesOf(resumed)];
    expect(lb).toHaveLength(2);
    expect(lb[0]!.loss).toBeCloseTo(la[0]!.loss, 5); // the same first epoch
    // Epoch 2 from the checkpoint: near the unbroken run's (dropout and augmentation draws may
    // differ after a restart), far from a fresh start's epoch-1 loss.
    expect(Math.abs(lb[1]!.loss - la[1]!.loss)).toBeLessThan(
      0.25 * Math.abs(la[0]!.loss - la[1]!.loss),
    );
    for (const row of lb) expect(row.miou).toBeGreaterThanOrEqual(0);

    const model = path.join(resumed, 'model');
    const loaded = await loadModel(model);
    try {
      const list = await readModelClasses('test', model, loaded);
      expect(list?.classes).toHaveLength(11);
      expect(list?.ignoreIndex).toBe(11);
    } finally {
      loaded.dispose();
    }
  }, 300_000);
});
