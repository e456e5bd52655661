import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { isCI } from '@unet/data';
import {
  CSVLogger,
  EarlyStopping,
  getLearningRate,
  ModelCheckpoint,
  NanGuard,
  ProgressBar,
  ReduceLROnPlateau,
} from '@unet/train';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  compiledModel,
  fillWeights,
  firstWeight,
  readCsv,
  script,
  tempDir,
  tinyData,
  tinyModel,
  useTensorflow,
} from './test-helpers.js';

beforeAll(useTensorflow);

const seq = (key: string, values: number[]) => values.map((v) => ({ loss: 1, [key]: v }));

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights at the end', async () => {
    const model = compiledModel();
    const { log, lines } = collect();
    const stopper = new EarlyStopping({ patience: 2, restoreBestWeights: true, log });
    // val_loss: 1.0 (best), 0.8 (best, wait 0), 0.85 (wait 1), 0.9 (wait 2 = patience: stop).
    const ran = await script(stopper, model, seq('val_loss', [1.0, 0.8, 0.85, 0.9, 0.7]), {
      beforeEpochEnd: (epoch) => fillWeights(model, epoch),
    });
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(stopper.stoppedEpoch).toBe(3);
    expect(stopper.best).toBe(0.8);
    expect(stopper.bestEpoch).toBe(1);
    expect(firstWeight(model)).toBe(1); // weights of epoch 1 are back
    expect(lines.join('\n')).toMatch(
      /early stopping at epoch 4: val_loss has not improved for 2 epochs/,
    );
  });

  it("infers 'max' for val_dice and honours minDelta", async () => {
    const model = compiledModel();
    const run = (minDelta: number) =>
      script(
        new EarlyStopping({ monitor: 'val_dice', patience: 1, minDelta, log: () => {} }),
        model,
        seq('val_dice', [0.5, 0.6, 0.605, 0.7]),
      );
    // max mode: 0.6 improves; 0.605 is not > 0.6 + 0.01, so stop at epoch 2.
    // (min mode would stop at epoch 1, no minDelta would run all 4.)
    expect(await run(0.01)).toEqual([0, 1, 2]);
    expect(await run(0)).toEqual([0, 1, 2, 3]);
  });

  it('stops when the baseline is not beaten, and keeps training when the monitor is missing', async () => {
    const model = compiledModel();
    const baseline = new EarlyStopping({ baseline: 0.5, patience: 2, log: () => {} });
    expect(await script(baseline, model, seq('val_loss', [0.9, 0.8, 0.7, 0.6]))).toEqual([0, 1]);
    const { log, lines } = collect();
    const missing = new EarlyStopping({ monitor: 'val_iou', log });
    expect(await script(missing, model, seq('val_loss', [1, 2, 3]))).toEqual([0, 1, 2]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/'val_iou' is not in the logs/);
  });

  it('continues its counters after setState (resume)', async () => {
    const model = compiledModel();
    const first = new EarlyStopping({ patience: 2, log: () => {} });
    await script(first, model, seq('val_loss', [1.0, 0.8, 0.9]));
    const second = new EarlyStopping({ patience: 2, log: () => {} });
    second.setState(JSON.parse(JSON.stringify(first.getState())));
    // One more epoch without improvement reaches patience.
    expect(await script(second, model, seq('val_loss', [0.95, 0.5]), { initialEpoch: 3 })).toEqual([
      3,
    ]);
  });
});

describe('ReduceLROnPlateau', () => {
  // factor 0.5, patience 2, cooldown 1, minLr 0.2, constant val_loss from lr 1.0:
  // e0 best; e1 wait 1; e2 wait 2 -> 0.5 (cooldown 1); e3 cooldown ends, wait 1; e4 -> 0.25;
  // e5 wait 1; e6 -> max(0.125, 0.2) = 0.2; e7 wait 1; e8, e9 at minLr: unchanged.
  const expectedLr = [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2];
  const SCHEDULE = { factor: 0.5, patience: 2, cooldown: 1, minLr: 0.2, log: () => {} };

  it('follows Keras semantics for patience, cooldown and minLr and logs the lr used per epoch', async () => {
    const model = compiledModel(tf.train.sgd(1.0));
    const reducer = new ReduceLROnPlateau(SCHEDULE);
    const used: number[] = [];
    reducer.setModel(model);
    reducer.setParams({ epochs: 10 });
    await reducer.onTrainBegin();
    for (let epoch = 0; epoch < 10; epoch++) {
      const logs: Record<string, number> = { loss: 1, val_loss: 1 };
      await reducer.onEpochEnd(epoch, logs);
      used.push(logs.lr!);
    }
    expect(used).toEqual(expectedLr);
    expect(getLearningRate(model.optimizer)).toBeCloseTo(0.2, 10);
  });

  it('changes the step the optimizer actually takes (sgd and adam)', async () => {
    for (const [optimizer, tolerance] of [
      [tf.train.sgd(1.0), 1e-6],
      [tf.train.adam(0.1), 1e-3],
    ] as const) {
      const model = compiledModel(optimizer);
      const reducer = new ReduceLROnPlateau({ factor: 0.1, patience: 1, log: () => {} });
      await script(reducer, model, seq('val_loss', [1, 1]));
      expect(getLearningRate(optimizer)).toBeCloseTo(
        optimizer.getClassName() === 'SGD' ? 0.1 : 0.01,
        10,
      );
      const v = tf.variable(tf.scalar(5));
      optimizer.minimize(() => v.mul(1) as tf.Scalar, false, [v]); // gradient 1
      const step = 5 - v.dataSync()[0]!;
      expect(Math.abs(step - getLearningRate(optimizer))).toBeLessThan(tolerance);
      v.dispose();
    }
  });

  it('resumes from getState/setState with the same schedule as an uninterrupted run', async () => {
    const model = compiledModel(tf.train.sgd(1.0));
    const a = new ReduceLROnPlateau(SCHEDULE);
    const lrs: number[] = [];
    const onEnd = async (cb: ReduceLROnPlateau, epoch: number) => {
      const logs: Record<string, number> = { val_loss: 1 };
      await cb.onEpochEnd(epoch, logs);
      lrs.push(logs.lr!);
    };
    a.setModel(model);
    await a.onTrainBegin();
    for (let e = 0; e < 4; e++) await onEnd(a, e);
    const b = new ReduceLROnPlateau(SCHEDULE);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    b.setModel(model);
    await b.onTrainBegin();
    for (let e = 4; e < 10; e++) await onEnd(b, e);
    expect(lrs).toEqual(expectedLr);
  });

  it('rejects bad settings with the reason', () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/factor must be between 0 and 1/);
    expect(() => new ReduceLROnPlateau({ patience: -1 })).toThrow(
      /patience must be an integer >= 0/,
    );
    expect(() => new EarlyStopping({ mode: 'up' as 'min' })).toThrow(
      /mode must be 'auto', 'min' or 'max'/,
    );
  });
});

describe('ProgressBar', () => {
  const envCI = process.env.CI;
  afterEach(() => {
    if (envCI === undefined) delete process.env.CI;
    else process.env.CI = envCI;
  });

  function stream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, write: (t: string) => chunks.push(t), isTTY, columns: 200 };
  }

  it('prints one line per epoch when not on a terminal, with metrics and lr', async () => {
    const out = stream(false);
    const bar = new ProgressBar({ stream: out });
    expect(bar.mode).toBe('epoch');
    await script(bar, compiledModel(), [
      { loss: 0.5, val_loss: 0.25, lr: 0.001 },
      { loss: 0.4, val_loss: 0.2, lr: 0.001 },
    ]);
    const lines = out.chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 .*loss 0\.5000 +val_loss 0\.2500 +lr 1\.00e-3$/);
    expect(lines[1]).toMatch(/^epoch 2\/2 /);
  });

  it('on a terminal draws a bar with ETA, but not under CI', async () => {
    delete process.env.CI;
    expect(isCI({})).toBe(false);
    expect(isCI({ CI: 'true' })).toBe(true);
    expect(isCI({ CI: 'false' })).toBe(false);
    let now = 0;
    const out = stream(true);
    const bar = new ProgressBar({ stream: out, now: () => now, intervalMs: 0 });
    expect(bar.mode).toBe('bar');
    bar.setParams({ epochs: 3, steps: 10 });
    await bar.onTrainBegin();
    await bar.onEpochBegin(1);
    for (let b = 0; b < 5; b++) {
      now += 1000; // 1 s per batch
      await bar.onBatchEnd(b, { loss: 0.3 });
    }
    const last = out.chunks.at(-1)!;
    expect(last.startsWith('\r\u001b[2K')).toBe(true);
    expect(last.slice(5)).toMatch(/^epoch 2\/3 \[=+>\.+\] 5\/10 +ETA 0:05 +loss 0\.3000$/);
    process.env.CI = 'true';
    expect(new ProgressBar({ stream: stream(true) }).mode).toBe('epoch');
  });
});

describe('NanGuard', () => {
  it('stops plain model.fit at the first NaN batch; no checkpoint is written from it', async () => {
    const dir = await tempDir('nan-guard');
    const model = tinyModel(3);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const { x, y } = tinyData(8, 8);
    const poisoned = tf.tidy(() => tf.concat([x.slice(0, 4), tf.fill([4, 8, 8, 1], Number.NaN)]));
    const { log, lines } = collect();
    const guard = new NanGuard({ log });
    const batches: number[] = [];
    await model.fit(poisoned, y, {
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      callbacks: [
        guard,
        new ModelCheckpoint({ dir: path.join(dir, 'ckpt'), monitor: 'loss', saveBestOnly: false }),
        new tf.CustomCallback({ onBatchEnd: (b) => void batches.push(b) }),
      ],
    });
    expect(guard.tripped).toEqual({ epoch: 0, batch: 1, key: 'loss', value: Number.NaN });
    expect(batches).toEqual([0, 1]);
    expect(lines[0]).toMatch(/loss is NaN at epoch 1, batch 2: training stopped/);
    await expect(fs.access(path.join(dir, 'ckpt'))).rejects.toThrow();
    tf.dispose([x, y, poisoned]);
  });
});

describe('callbacks in plain model.fit', () => {
  it('EarlyStopping, ReduceLROnPlateau, ModelCheckpoint and CSVLogger read the tensor logs of fit', async () => {
    const dir = await tempDir('plain-fit');
    const model = tinyModel(5);
    model.compile({
      optimizer: tf.train.adam(0.01),
      loss: 'binaryCrossentropy',
      metrics: ['accuracy'],
    });
    const { x, y } = tinyData(16, 8);
    const checkpoint = new ModelCheckpoint({ dir: path.join(dir, 'best') });
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [
        new EarlyStopping({ patience: 5 }),
        new ReduceLROnPlateau({ patience: 5 }),
        checkpoint,
        new CSVLogger({ path: path.join(dir, 'log.csv') }),
      ],
    });
    const csv = await readCsv(path.join(dir, 'log.csv'));
    expect(csv.header).toEqual(['epoch', 'acc', 'loss', 'lr', 'val_acc', 'val_loss']);
    expect(csv.rows.map((r) => r[0])).toEqual(['0', '1', '2']);
    expect(Number(csv.rows[2]![2])).toBeCloseTo(history.history.loss![2] as number, 6);
    expect(checkpoint.lastSavedEpoch).toBeGreaterThanOrEqual(0);
    tf.dispose([x, y]);
  });
});
