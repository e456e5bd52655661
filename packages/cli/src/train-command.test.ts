/**
 * `train` on the fake recipe (train-command.ts): the files it writes in --out, --resume, --split,
 * --config, Ctrl-C, and bad data failing with one line that names the file while leaving no --out.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import {
  type CliResult,
  expectCurves,
  expectHistory,
  expectLoadableModel,
  expectOk,
  expectResumed,
  readCsv,
  readJson,
} from '@unet/cli-test-support';
import { cpuHasNativeBfloat16 } from '@unet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FAKE_PROGRAM, fakeRecipe, writeFakeData } from '../test/fake-recipe.js';
import { expectFakeError, fakeCli, runFake, tempDir } from '../test/run-in-process.js';

/** What `--compile auto` is on the tensorflow backend of this CPU. */
const AUTO = cpuHasNativeBfloat16() ? 'bf16' : 'fp32';

const tmp = tempDir('train');
let data: string;
let out: string;
let trained: CliResult;
const trainArgs = (dir: string) => ['--data', data, '--out', dir, '--seed', '7'];

beforeAll(async () => {
  data = await writeFakeData(path.join(tmp.dir, 'data'));
  out = path.join(tmp.dir, 'run');
  trained = await fakeCli('train', ...trainArgs(out), '--epochs', '2');
});
afterAll(tmp.remove);

/** `train ARGS --out <fresh>` exits `code` with one line matching `reasons`, writing no --out. */
async function expectTrainFailure(code: 1 | 2, args: string[], ...reasons: (RegExp | string)[]) {
  const dir = tmp.fresh();
  expectFakeError(await fakeCli('train', ...args, '--out', dir), code, ...reasons);
  expect(fs.existsSync(dir), `a failed train wrote ${dir}`).toBe(false);
}

describe('train writes in --out', () => {
  it('exits 0 after training on the split it reports', () => {
    expectOk(trained);
    expect(trained.stderr).toContain('6 training and 2 validation samples at 32x32');
    expect(trained.stderr).toMatch(/^best epoch \d \(/m);
  });

  it('model/: a loadable model of the recipe at --image-size', async () => {
    const model = path.join(out, 'model');
    await expectLoadableModel(model, tf.loadLayersModel, [null, 32, 32, 3], [null, 32, 32, 1]);
  });

  it("history.csv: one row per epoch with the recipe's metrics, and curves.png", async () => {
    const columns = ['epoch', 'loss', 'val_loss', 'diceCoefficient', 'val_diceCoefficient'];
    expectHistory(path.join(out, 'history.csv'), 2, columns);
    await expectCurves(path.join(out, 'curves.png'));
  });

  it('config.json: every setting of the run', () => {
    expect(readJson(path.join(out, 'config.json'))).toEqual({
      program: FAKE_PROGRAM,
      data,
      out,
      epochs: 2,
      batchSize: 4,
      imageSize: 32,
      valSplit: 0.25,
      seed: 7,
      backend: tf.getBackend(),
      compile: AUTO,
      learningRate: 0.001,
      patience: 0,
      maxMinutes: 0,
      channels: 3,
      loss: fakeRecipe.loss,
      metrics: fakeRecipe.metrics,
      monitor: 'val_loss',
      resume: false,
      split: null,
      maskThreshold: null,
      recalibrateBatchNorm: true,
    });
  });

  it('split.json: the seed and disjoint train and val ids covering the data', () => {
    const split = readJson<{ seed: number; train: string[]; val: string[] }>(
      path.join(out, 'split.json'),
    );
    expect(split.seed).toBe(7);
    expect(split.val).toHaveLength(2);
    expect([...split.train, ...split.val].sort()).toEqual([...FAKE_IDS].sort());
  });

  it('last/: the checkpoint --resume continues from', () => {
    expect(fs.existsSync(path.join(out, 'last', 'model.json'))).toBe(true);
  });
});

describe('train options', () => {
  it('--resume --epochs 3 trains only the third epoch of a 2-epoch run', async () => {
    const resumed = path.join(tmp.dir, 'run-resumed');
    fs.cpSync(out, resumed, { recursive: true });
    const r = await fakeCli('train', ...trainArgs(resumed), '--epochs', '3', '--resume');
    expectResumed(r, out, resumed, 3);
    expect(readJson(path.join(resumed, 'split.json'))).toEqual(
      readJson(path.join(out, 'split.json')),
    );
  });

  it('--compile: auto (bf16 with native bfloat16, else fp32) reaches train() (a compiled step); off trains eagerly', async () => {
    // The default run of beforeAll: its log names the compiled graph.
    expect(trained.stderr).toMatch(
      new RegExp(`compiled step: \\d+ ops, \\d+ variables in one graph \\(${AUTO}\\)`),
    );
    const dir = path.join(tmp.dir, 'run-eager');
    const r = await fakeCli('train', ...trainArgs(dir), '--epochs', '2', '--compile', 'off');
    expectOk(r);
    expect(r.stderr).not.toContain('compiled step');
    expect(readJson(path.join(dir, 'config.json'))).toMatchObject({ compile: 'off' });
    const bf16 = path.join(tmp.dir, 'run-bf16');
    const b = await fakeCli('train', ...trainArgs(bf16), '--epochs', '2', '--compile', 'bf16');
    expectOk(b);
    // Without native bfloat16 a bf16 request compiles fp32, says so, and the config records fp32.
    if (AUTO === 'bf16') expect(b.stderr).toMatch(/compiled step: \d+ ops, .*\(bf16\)/);
    else expect(b.stderr).toMatch(/no native bfloat16[^\n]*compiling fp32[\s\S]*\(fp32\)/);
    expect(readJson(path.join(bf16, 'config.json'))).toMatchObject({ compile: AUTO });
  });

  it('--split FILE trains and validates on the ids it names', async () => {
    const file = path.join(tmp.dir, 'my-split.json');
    const wanted = { train: FAKE_IDS.slice(3), val: FAKE_IDS.slice(0, 3) };
    fs.writeFileSync(file, JSON.stringify(wanted));
    const dir = path.join(tmp.dir, 'run-split');
    const r = await fakeCli('train', ...trainArgs(dir), '--split', file, '--epochs', '1');
    expectOk(r);
    expect(r.stderr).toContain('5 training and 3 validation samples');
    expect(readJson(path.join(dir, 'split.json'))).toMatchObject(wanted);
    expect(readJson(path.join(dir, 'config.json'))).toMatchObject({ split: file });
  });

  it('--split FILE naming an id that is not in the data, or without a val list', async () => {
    const file = path.join(tmp.dir, 'bad-split.json');
    fs.writeFileSync(file, JSON.stringify({ train: FAKE_IDS.slice(1), val: ['no-such-id'] }));
    await expectTrainFailure(2, ['--data', data, '--split', file], file, "'no-such-id'");
    fs.writeFileSync(file, JSON.stringify({ train: FAKE_IDS }));
    await expectTrainFailure(2, ['--data', data, '--split', file], 'has no "val" list');
  });

  it('--config FILE.json sets flags (kebab or camel case); flags given win', async () => {
    const file = path.join(tmp.dir, 'settings.json');
    const ignoredOut = path.join(tmp.dir, 'not-this');
    const settings = { data, out: ignoredOut, epochs: 2, batchSize: 2, 'val-split': 0.5, seed: 5 };
    fs.writeFileSync(file, JSON.stringify(settings));
    const dir = path.join(tmp.dir, 'run-config');
    expectOk(await fakeCli('train', `--config=${file}`, '--out', dir, '--epochs', '1'));
    expect(fs.existsSync(ignoredOut)).toBe(false);
    expect(readJson(path.join(dir, 'config.json'))).toMatchObject({
      data,
      out: dir,
      epochs: 1,
      batchSize: 2,
      valSplit: 0.5,
      seed: 5,
    });
    expect(readCsv(path.join(dir, 'history.csv')).rows).toHaveLength(1);
    expect(readJson<{ val: string[] }>(path.join(dir, 'split.json')).val).toHaveLength(4);
  });

  it('Ctrl-C stops after the current epoch and leaves a usable model', async () => {
    const dir = path.join(tmp.dir, 'run-interrupted');
    let interrupted = false;
    const r = await runFake(['train', ...trainArgs(dir), '--epochs', '200'], (stderr) => {
      // Once: a second Ctrl-C quits at once. emit runs train's handler; no signal is sent.
      if (!interrupted && /^epoch 2\/200/m.test(stderr)) {
        interrupted = true;
        process.emit('SIGINT', 'SIGINT');
      }
    });
    expectOk(r);
    expect(r.stderr).toContain('interrupted: stopping after this epoch');
    const epochs = readCsv(path.join(dir, 'history.csv')).rows.length;
    expect(epochs).toBeGreaterThanOrEqual(2);
    expect(epochs).toBeLessThan(200);
    expect(process.listenerCount('SIGINT'), 'the handler is removed after training').toBe(0);
    const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model', 'model.json')}`);
    loaded.dispose();
  });
});

describe('train on bad data exits with one line and writes no --out', () => {
  it('--data that does not exist (exit 1)', async () => {
    const missing = path.join(tmp.dir, 'no-such-data');
    await expectTrainFailure(1, ['--data', missing], missing, /not found/);
  });

  it('a corrupt image (exit 1, naming the file)', async () => {
    const broken = path.join(tmp.dir, 'broken');
    fs.cpSync(data, broken, { recursive: true });
    const garbage = path.join(broken, 'images', `${FAKE_IDS[3]}.png`);
    fs.writeFileSync(garbage, Buffer.from('\x89PNG\r\n\x1a\n and then nothing that makes sense'));
    await expectTrainFailure(1, ['--data', broken], garbage, /decode|corrupt|not an image/);
  });

  it('an image without its mask (exit 1, naming the mask)', async () => {
    const partial = path.join(tmp.dir, 'no-mask');
    fs.cpSync(data, partial, { recursive: true });
    const gone = path.join(partial, 'masks', `${FAKE_IDS[2]}.png`);
    fs.rmSync(gone);
    await expectTrainFailure(1, ['--data', partial], FAKE_IDS[2]!);
  });

  it('an --image-size the model cannot take (exit 2)', async () => {
    await expectTrainFailure(2, ['--data', data, '--image-size', '30'], '--image-size 30');
  });

  it('a --val-split that leaves no validation sample (exit 2)', async () => {
    await expectTrainFailure(2, ['--data', data, '--val-split', '0.01'], /0 for validation/);
  });
});
