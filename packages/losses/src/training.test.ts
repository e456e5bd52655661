import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import {
  compileWithNamedLosses,
  composeLosses,
  focalLoss,
  getLoss,
  type LossReference,
  listLosses,
  registerLoss,
} from '@unet/losses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyModel } from './test-support.js';

const MULTICLASS_LOSSES = new Set(['categoricalCrossentropy', 'categoricalDiceLoss']);
const SPARSE_LOSSES = new Set([
  'sparseCategoricalCrossentropy',
  'sparseCategoricalDiceLoss',
  'sparseCategoricalFocalLoss',
]);

/** A toy segmentation problem: the mask (or class) is a threshold of the first channel. */
function toyBatch(classes: number, sparse = false) {
  return tf.tidy(() => {
    const x = tf.randomUniform([4, 8, 8, 2], 0, 1, 'float32', 7);
    const first = x.slice([0, 0, 0, 0], [4, 8, 8, 1]);
    if (classes === 1) return { x, y: tf.cast(tf.greater(first, 0.5), 'float32') };
    const label = tf.cast(tf.floor(tf.mul(first, classes - 0.001)), 'int32').reshape([4, 8, 8]);
    if (sparse) return { x, y: label.reshape([4, 8, 8, 1]).toFloat() };
    return { x, y: tf.oneHot(label, classes).toFloat() };
  });
}

const binary = toyBatch(1);
const multiclass = toyBatch(3);
const sparse = toyBatch(3, true);

/** Loss on the batch before and after `steps` Adam steps. */
async function trainSteps(loss: LossReference, classes: number, steps = 12) {
  const { x, y } = classes === 1 ? binary : multiclass;
  const model = toyModel({ classes });
  compileWithNamedLosses(model, { optimizer: tf.train.adam(0.05), loss });
  const lossOnBatch = () => {
    const value = model.evaluate(x, y, { batchSize: 4 }) as tf.Scalar;
    const result = value.dataSync()[0]!;
    value.dispose();
    return result;
  };
  const before = lossOnBatch();
  const history = await model.fit(x, y, {
    epochs: steps,
    batchSize: 4,
    shuffle: false,
    verbose: 0,
  });
  const after = lossOnBatch();
  model.optimizer.dispose();
  model.dispose();
  return { before, after, history: history.history };
}

// A user's composed loss, registered like any custom loss; the table below picks it up.
registerLoss(
  'focalPlusJaccard',
  composeLosses([
    [focalLoss, 2],
    ['jaccardLoss', 1],
  ]),
);

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

afterAll(() => tf.dispose([binary, multiclass, sparse]));

/**
 * {@link trainSteps} for the class-index losses, through datasets: tfjs's `model.fit()` checks
 * targets against the output shape ([N, H, W, C]) for every loss but its own sparse one.
 */
async function trainSparseSteps(loss: string, steps = 12) {
  const { x, y } = sparse;
  const model = toyModel({ classes: 3 });
  compileWithNamedLosses(model, { optimizer: tf.train.adam(0.05), loss });
  const data = () => tf.data.zip({ xs: tf.data.array([x]), ys: tf.data.array([y]) });
  const lossOnBatch = async () => {
    const value = (await model.evaluateDataset(data() as never, {})) as tf.Scalar;
    const result = value.dataSync()[0]!;
    value.dispose();
    return result;
  };
  const before = await lossOnBatch();
  const history = await model.fitDataset(data() as never, { epochs: steps, verbose: 0 });
  const after = await lossOnBatch();
  model.optimizer.dispose();
  model.dispose();
  return { before, after, history: history.history };
}

describe('a model compiled with each loss trains', () => {
  it('the table holds the built-in losses and the registered composed loss', () => {
    expect(listLosses()).toHaveLength(12);
  });

  it.each([...listLosses()])('%s: loss decreases over a few steps', async (name) => {
    const classes = MULTICLASS_LOSSES.has(name) ? 3 : 1;
    const { before, after, history } = SPARSE_LOSSES.has(name)
      ? await trainSparseSteps(name)
      : await trainSteps(name, classes);
    expect(Number.isFinite(after)).toBe(true);
    expect(after, `${name}: ${before} -> ${after}`).toBeLessThan(before * 0.97);
    const losses = history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
  });

  it('the loss can be passed as a registered function, and plain model.compile takes getLoss()', async () => {
    const byFunction = await trainSteps(getLoss('diceLoss'), 1);
    const byName = await trainSteps('diceLoss', 1);
    expect(byFunction.after).toBeCloseTo(byName.after, 6);

    const { x, y } = binary;
    const model = toyModel({ classes: 1 });
    model.compile({ optimizer: tf.train.adam(0.05), loss: getLoss('bceDiceLoss') });
    const history = await model.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    model.optimizer.dispose();
    model.dispose();
  });

  it('metrics are logged under their registered names', async () => {
    const { x, y } = binary;
    const model = toyModel({ classes: 1 });
    compileWithNamedLosses(model, {
      optimizer: 'adam',
      loss: 'binaryCrossentropy',
      metrics: ['diceCoefficient', 'iouScore', 'precision', 'recall', 'meanIoU', 'diceLoss'],
    });
    const history = await model.fit(x, y, {
      epochs: 1,
      batchSize: 4,
      validationData: [x, y],
      verbose: 0,
    });
    expect(Object.keys(history.history).sort()).toEqual(
      [
        'loss',
        'diceCoefficient',
        'iouScore',
        'precision',
        'recall',
        'meanIoU',
        'diceLoss',
        'val_loss',
        'val_diceCoefficient',
        'val_iouScore',
        'val_precision',
        'val_recall',
        'val_meanIoU',
        'val_diceLoss',
      ].sort(),
    );
    model.dispose();
  });
});
