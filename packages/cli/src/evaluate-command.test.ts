/**
 * `evaluate` on the fake recipe (evaluate-command.ts): metrics.json and per_image.csv at each
 * image's original size or at the model's, --split, --threshold, and bad input failing with one
 * line (exit 1 for bad data, naming the file; exit 2 for a bad command line).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expectOk, expectScored, readCsv, readJson } from '@unet/cli-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, writeFakeData } from '../test/fake-recipe.js';
import { expectFakeError, fakeCli, tempDir } from '../test/run-in-process.js';

const tmp = tempDir('evaluate');
let data: string;
let run: string;
let model: string;

beforeAll(async () => {
  data = await writeFakeData(path.join(tmp.dir, 'data'));
  run = path.join(tmp.dir, 'run');
  model = path.join(run, 'model');
  expectOk(await fakeCli('train', '--data', data, '--out', run, '--epochs', '1'));
});
afterAll(tmp.remove);

const evaluate = (dir: string, ...args: string[]) =>
  fakeCli('evaluate', '--data', data, '--model', model, '--out', dir, ...args);

describe('evaluate writes in --out', () => {
  it('metrics.json and one per_image.csv row per image, at the original size', async () => {
    const dir = path.join(tmp.dir, 'eval-all');
    const r = await evaluate(dir);
    expectOk(r);
    expect(r.stderr).toMatch(/^ {2}dice +\d\.\d{4}$/m);
    expectScored(dir, FAKE_IDS, ['dice', 'iou', 'precision', 'recall']);
    const metrics = readJson(path.join(dir, 'metrics.json'));
    expect(metrics).toMatchObject({
      images: FAKE_IDS.length,
      threshold: 0.5,
      evaluated_at: 'original size',
      model: path.resolve(model),
      data: path.resolve(data),
    });
    expect(metrics).not.toHaveProperty('map'); // only for recipes scoring instances
    const { header } = readCsv(path.join(dir, 'per_image.csv'));
    const columns =
      'name,dice,iou,precision,recall,averagePrecision,trueInstances,predictedInstances';
    expect(header).toEqual(columns.split(','));
  });

  it('--compile: the compiled forward pass (auto: fp32 on tensorflow) scores as eager (off) does', async () => {
    const compiled = path.join(tmp.dir, 'eval-compiled');
    const eager = path.join(tmp.dir, 'eval-eager');
    const c = await evaluate(compiled, '--compile', 'fp32');
    expectOk(c);
    expect(c.stderr).not.toContain('compiled predict off');
    expectOk(await evaluate(eager, '--compile', 'off'));
    const rows = (dir: string) => readCsv(path.join(dir, 'per_image.csv')).rows;
    const want = rows(eager);
    // Up to float rounding (1e-4 on probabilities): a pixel at the threshold could flip.
    rows(compiled).forEach((row, i) => {
      expect(row[0]).toBe(want[i]![0]);
      for (const k of [1, 2, 3, 4]) expect(Number(row[k])).toBeCloseTo(Number(want[i]![k]), 2);
    });
  });

  it('--split OUT/split.json scores only its validation ids', async () => {
    const dir = path.join(tmp.dir, 'eval-val');
    const split = path.join(run, 'split.json');
    expectOk(await evaluate(dir, '--split', split));
    const { val } = readJson<{ val: string[] }>(split);
    expect(val.length).toBeLessThan(FAKE_IDS.length);
    expectScored(dir, val);
  });

  it('--at-model-size and --threshold are recorded in metrics.json', async () => {
    const dir = path.join(tmp.dir, 'eval-model-size');
    expectOk(await evaluate(dir, '--at-model-size', '--threshold', '0.3'));
    expect(readJson(path.join(dir, 'metrics.json'))).toMatchObject({
      images: FAKE_IDS.length,
      threshold: 0.3,
      evaluated_at: '32x32',
    });
  });
});

describe('evaluate on bad input exits with one line', () => {
  it('--data that does not exist (exit 1)', async () => {
    const missing = path.join(tmp.dir, 'no-such-data');
    const r = await fakeCli('evaluate', '--data', missing, '--model', model, '--out', tmp.fresh());
    expectFakeError(r, 1, missing, /not found/);
  });

  it('a corrupt image (exit 1, naming the file)', async () => {
    const broken = path.join(tmp.dir, 'broken');
    fs.cpSync(data, broken, { recursive: true });
    const garbage = path.join(broken, 'images', `${FAKE_IDS[5]}.png`);
    fs.writeFileSync(garbage, Buffer.alloc(2048, 0x5a));
    const r = await fakeCli('evaluate', '--data', broken, '--model', model, '--out', tmp.fresh());
    expectFakeError(r, 1, garbage, /decode|corrupt|not an image/);
  });

  it('--model folder without model.json (exit 2)', async () => {
    const empty = path.join(tmp.dir, 'empty-model');
    fs.mkdirSync(empty);
    const r = await fakeCli('evaluate', '--data', data, '--model', empty, '--out', tmp.fresh());
    expectFakeError(r, 2, `cannot load a model from ${empty}`, 'model.json');
  });

  it('--split naming ids that are not in the data (exit 2)', async () => {
    const file = path.join(tmp.dir, 'bad-split.json');
    fs.writeFileSync(file, JSON.stringify({ train: [], val: [FAKE_IDS[0], 'no-such-id'] }));
    expectFakeError(await evaluate(tmp.fresh(), '--split', file), 2, /not in the data.*no-such-id/);
  });
});
