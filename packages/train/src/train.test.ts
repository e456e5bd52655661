import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@unet/runtime';
import {
  EarlyStopping,
  loadModel,
  ReduceLROnPlateau,
  readCheckpointState,
  runPaths,
  TrainingDivergedError,
  type TrainOptions,
  train,
} from '@unet/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, quiet, readCsv, tempDir, tinyData, tinyModel } from './test-helpers.js';

let data: { x: tf.Tensor4D; y: tf.Tensor4D };

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  data = tinyData(20, 12);
});

afterAll(() => tf.dispose([data.x, data.y]));

function base(model: tf.LayersModel, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model,
    x: data.x,
    y: data.y,
    validationSplit: 0.2,
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
    epochs: 3,
    batchSize: 4,
    learningRate: 0.01,
    seed: 3,
    progress: false,
    log: () => {},
    ...extra,
  };
}

function maxAbsDiff(a: number[], b: number[]): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** After a NaN stop: the model predicts finite values, exactly as the last good checkpoint does. */
async function expectLastCheckpointInModel(model: tf.LayersModel, outDir: string): Promise<void> {
  const good = await loadModel(runPaths(outDir).last);
  const probe = tf.ones([1, 12, 12, 1]);
  const [a, b] = [model.predict(probe) as tf.Tensor, good.predict(probe) as tf.Tensor];
  expect(Number.isFinite(a.dataSync()[0]!)).toBe(true);
  expect(maxAbsDiff(Array.from(a.dataSync()), Array.from(b.dataSync()))).toBe(0);
  tf.dispose([probe, a, b]);
  good.dispose();
}

describe('train', () => {
  it('writes best/, last/, log.csv, curves.png and TensorBoard logs into outDir', async () => {
    const outDir = await tempDir('run');
    const result = await train(base(tinyModel(1), { outDir }));
    const paths = runPaths(outDir);
    expect(result.stopReason).toBe('completed');
    expect(result.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(result.history).sort()).toEqual([
      'acc',
      'loss',
      'lr',
      'val_acc',
      'val_loss',
    ]);
    expect(result.history.loss![2]).toBeLessThan(result.history.loss![0]!);
    expect(result.monitor).toBe('val_loss');
    expect(result.bestScore).toBe(Math.min(...result.history.val_loss!));
    const state = await readCheckpointState(paths.last);
    expect(state).toMatchObject({
      epoch: 2,
      epochs: 3,
      stopReason: 'completed',
      seed: 3,
      learningRate: 0.01,
    });
    expect(state!.history.epoch).toEqual([0, 1, 2]);
    const csv = await readCsv(paths.csv);
    expect(csv.rows.map((r) => r[0])).toEqual(['0', '1', '2']);
    for (const file of [
      paths.curves,
      path.join(paths.best, 'model.json'),
      path.join(paths.last, 'optimizer.bin'),
    ]) {
      expect((await fs.stat(file)).size).toBeGreaterThan(0);
    }
    expect((await fs.readdir(paths.tensorBoard)).sort()).toEqual(['train', 'val']);
    const best = await loadModel(paths.best);
    expect(best.outputs[0]!.shape).toEqual([null, null, null, 1]);
    best.dispose();
  });

  it('a resumed run continues exactly where an uninterrupted one would be (weights, Adam, LR schedule, history)', async () => {
    // ReduceLROnPlateau with a huge minDelta never sees an improvement: the LR halves every 2 epochs,
    // so its counters must survive the resume for the schedule to match.
    const callbacks = () => [
      new ReduceLROnPlateau({ factor: 0.5, patience: 2, minDelta: 10, log: () => {} }),
      new EarlyStopping({ patience: 10, log: () => {} }),
    ];
    const whole = await train(
      base(tinyModel(11), { epochs: 5, outDir: await tempDir('whole'), callbacks: callbacks() }),
    );
    const outDir = await tempDir('split');
    const first = await train(base(tinyModel(11), { epochs: 3, outDir, callbacks: callbacks() }));
    expect(first.epoch).toEqual([0, 1, 2]);
    const { log, lines } = collect();
    const resumedModel = tinyModel(11);
    const resumed = await train(
      base(resumedModel, { epochs: 5, outDir, resume: true, callbacks: callbacks(), log }),
    );
    expect(lines.join('\n')).toMatch(/resume: .* holds epoch 3 .*continuing at epoch 4\/5/);
    expect(resumed.initialEpoch).toBe(3);
    expect(resumed.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(resumed.history.lr).toEqual([0.01, 0.01, 0.01, 0.005, 0.005]);
    expect(whole.history.lr).toEqual(resumed.history.lr);
    // Bit-identical here; the margin allows for kernels that sum in another order elsewhere.
    // (Losing the Adam moments gives ~2e-3, a different data order ~3e-4.)
    expect(maxAbsDiff(resumed.history.loss!, whole.history.loss!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(resumed.history.val_loss!, whole.history.val_loss!)).toBeLessThan(1e-5);
    const csv = await readCsv(runPaths(outDir).csv);
    expect(csv.rows.map((r) => Number(r[0]))).toEqual([0, 1, 2, 3, 4]);
    const state = await readCheckpointState(runPaths(outDir).last);
    expect(state!.epoch).toBe(4);
    expect(state!.history.epoch).toEqual([0, 1, 2, 3, 4]);
    // Resuming a finished run trains nothing.
    const again = await train(base(tinyModel(11), { epochs: 5, outDir, resume: true }));
    expect(again.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(again.initialEpoch).toBe(5);
  });

  it('records what a callback adds to the epoch logs in the history, log.csv and the checkpoint', async () => {
    const outDir = await tempDir('added-logs');
    // As the CLI's ValidationMeanIoU adds val_miou: a user callback writing into the logs.
    const scorer = {
      onEpochEnd: async (epoch: number, logs?: tf.Logs) => {
        if (logs) logs.val_score = 10 + epoch;
      },
    };
    const result = await train(
      base(tinyModel(6), { outDir, epochs: 2, monitor: 'val_score', callbacks: [scorer] }),
    );
    expect(result.history.val_score).toEqual([10, 11]);
    const csv = await readCsv(runPaths(outDir).csv);
    const column = csv.header.indexOf('val_score');
    expect(csv.rows.map((row) => Number(row[column]))).toEqual([10, 11]);
    const state = await readCheckpointState(runPaths(outDir).best);
    expect(state?.epoch).toBe(1);
  });

  it('keeps the tensor count flat across epochs and across calls', async () => {
    const model = tinyModel(2);
    const counts: number[] = [];
    const counter = { onEpochEnd: async () => void counts.push(tf.memory().numTensors) };
    const options = base(model, {
      epochs: 6,
      outDir: await tempDir('memory'),
      tensorBoard: false,
      callbacks: [
        new EarlyStopping({ patience: 10, restoreBestWeights: true }),
        new ReduceLROnPlateau(),
        counter,
      ],
    });
    await train(options);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const after = tf.memory().numTensors;
    await train({ ...options, outDir: await tempDir('memory2') });
    expect(tf.memory().numTensors).toBe(after);
  });

  it('stops on a NaN loss with a clear error and puts the last good checkpoint back into the model', async () => {
    const outDir = await tempDir('nan');
    let calls = 0;
    // 16 training samples / batch 4 = 4 batches per epoch: the 11th batch is epoch 3, batch 3.
    const loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => {
      calls += 1;
      const value = tf.losses.meanSquaredError(yTrue, yPred);
      return calls >= 11 ? tf.mul(value, Number.NaN) : value;
    };
    const model = tinyModel(4);
    const error = await train(
      base(model, {
        outDir,
        loss,
        // The loss's JS counter is not a graph op: a compiled step would record one branch.
        compile: 'off',
        validationSplit: undefined,
        x: data.x.slice(0, 16),
        y: data.y.slice(0, 16),
        epochs: 6,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.message).toMatch(
      /loss is NaN at epoch 3, batch 3: training stopped.*last good checkpoint .*epoch 2/,
    );
    expect(diverged.result.stopReason).toBe('non-finite-loss');
    const state = await readCheckpointState(runPaths(outDir).last);
    expect(state).toMatchObject({ epoch: 1, stopReason: 'non-finite-loss' });
    await expectLastCheckpointInModel(model, outDir);
  });

  it('stops a compiled run on a NaN loss and puts the last good checkpoint back into the model', async () => {
    const outDir = await tempDir('nan-compiled');
    const model = tinyModel(4);
    // A NaN learning rate from the 4th epoch's 3rd batch on (the graph is fed the rate every
    // step): that step's update makes the weights NaN, so the 4th batch's loss is NaN.
    const poison = new (class extends tf.Callback {
      override async onBatchEnd(batch: number) {
        if (this.epoch === 3 && batch === 1)
          (model.optimizer as unknown as { learningRate: number }).learningRate = Number.NaN;
      }
      epoch = 0;
      override async onEpochBegin(epoch: number) {
        this.epoch = epoch;
      }
    })();
    const logs: string[] = [];
    const error = await train(
      base(model, {
        outDir,
        compile: 'fp32',
        log: (line) => logs.push(line),
        validationSplit: undefined,
        x: data.x.slice(0, 16),
        y: data.y.slice(0, 16),
        epochs: 6,
        callbacks: [poison],
      }),
    ).catch((e: unknown) => e);
    expect(logs.join('\n')).toMatch(/compiled step: \d+ ops/);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as TrainingDivergedError).message).toMatch(
      /loss is NaN at epoch 4, batch 4: training stopped.*last good checkpoint .*epoch 3/,
    );
    await expectLastCheckpointInModel(model, outDir);
  });

  it('trains from a tf.data dataset with dataset validation, and validates its options', async () => {
    const xs = tf.data.array(tf.unstack(data.x));
    const ys = tf.data.array(tf.unstack(data.y));
    const ds = tf.data.zip({ xs, ys }).batch(5);
    const result = await train(
      base(tinyModel(6), {
        x: undefined,
        y: undefined,
        validationSplit: undefined,
        data: ds,
        validationData: ds.take(1),
        epochs: 2,
      }),
    );
    expect(result.epoch).toEqual([0, 1]);
    expect(result.history.val_loss).toHaveLength(2);
    const model = tinyModel(7);
    await expect(train(base(model, { data: ds }))).rejects.toThrow(
      /either `data` .* or both `x` and `y`/,
    );
    await expect(train(base(model, { optimizer: 'adamw' as 'adam' }))).rejects.toThrow(
      /unknown optimizer 'adamw': use one of adam, adamax, sgd/,
    );
    await expect(train(base(model, { validationSplit: 1.5 }))).rejects.toThrow(
      /validationSplit must be between 0 and 1/,
    );
  });
});
