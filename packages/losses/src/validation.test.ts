import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import * as api from '@unet/losses';
import { composeLosses, listLosses, listMetrics } from '@unet/losses';
import { beforeAll, describe, expect, it } from 'vitest';

type AnyScoreFunction = (yTrue: tf.Tensor, yPred: tf.Tensor, options?: object) => tf.Scalar;
const fn = (name: string) => (api as Record<string, unknown>)[name] as AnyScoreFunction;

const binaryTrue = () => tf.tensor4d([1, 0, 1, 1, 0, 0, 1, 0], [2, 2, 2, 1]);
const binaryPred = () => tf.tensor4d([0.9, 0.2, 0.6, 0.4, 0, 1, 0.5, 0.1], [2, 2, 2, 1]);
const classTrue = () =>
  tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0, 0, 2, 1], 'int32'), 3).reshape([2, 2, 2, 3]);
const classPred = () =>
  tf.softmax(
    tf.tensor4d(
      Array.from({ length: 24 }, (_, i) => Math.sin(i)),
      [2, 2, 2, 3],
    ),
  );
const MULTICLASS_ONLY = new Set(['categoricalCrossentropy', 'categoricalDiceLoss']);
/** Class-index losses: yTrue [N, H, W, 1] of indices next to yPred [N, H, W, C]. */
const SPARSE = new Set([
  'sparseCategoricalCrossentropy',
  'sparseCategoricalDiceLoss',
  'sparseCategoricalFocalLoss',
]);
const indexTrue = () => tf.tensor4d([0, 1, 2, 1, 255, 0, 2, 1], [2, 2, 2, 1]);

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

describe('bad settings throw with a fix-it message', () => {
  it.each([
    ['diceLoss', { smooth: -1 }, /diceLoss: smooth must be a finite number >= 0, got -1/],
    ['jaccardLoss', { smooth: Number.NaN }, /jaccardLoss: smooth must be/],
    ['tverskyLoss', { alpha: -0.1 }, /tverskyLoss: alpha must be/],
    ['tverskyLoss', { beta: Number.POSITIVE_INFINITY }, /tverskyLoss: beta must be/],
    ['focalLoss', { gamma: -2 }, /focalLoss: gamma must be/],
    ['focalLoss', { alpha: 1.5 }, /focalLoss: alpha must be in \[0, 1\], got 1.5/],
    ['bceDiceLoss', { diceWeight: -1 }, /bceDiceLoss: diceWeight must be/],
    ['diceCoefficient', { threshold: 2 }, /diceCoefficient: threshold must be in \[0, 1\]/],
    ['iouScore', { threshold: -0.5 }, /iouScore: threshold must be in/],
    ['precision', { threshold: 1.2 }, /precision: threshold must be in/],
    ['recall', { threshold: Number.NaN }, /recall: threshold must be in/],
    ['meanIoU', { threshold: 3 }, /meanIoU: threshold must be in/],
  ])('%s %j', (name, options, message) => {
    const [t, p] = [binaryTrue(), binaryPred()];
    expect(() => fn(name)(t, p, options)).toThrow(message);
    tf.dispose([t, p]);
  });

  it.each([
    [
      'categoricalCrossentropy',
      { classWeights: [1, 2] },
      /classWeights has 2 entries but yPred has 3 classes/,
    ],
    [
      'categoricalDiceLoss',
      { classWeights: [1, -1, 1] },
      /each class weight must be a finite number >= 0/,
    ],
    ['categoricalDiceLoss', { classWeights: [0, 0, 0] }, /classWeights are all 0/],
  ])('%s %j', (name, options, message) => {
    const [t, p] = [classTrue(), classPred()];
    expect(() => fn(name)(t, p, options)).toThrow(message);
    tf.dispose([t, p]);
  });

  it.each([...SPARSE])('%s rejects one-hot truth and labels outside the classes', (name) => {
    const [t, p, labels] = [classTrue(), classPred(), indexTrue()];
    expect(() => fn(name)(t, p, { ignoreIndex: 255 })).toThrow(
      new RegExp(`${name}: yTrue has shape \\[2,2,2,3\\] and yPred \\[2,2,2,3\\]`),
    );
    expect(() => fn(name)(labels, p)).toThrow(/1 label\(s\) are not class indices 0\.\.2/);
    expect(() => fn(name)(labels, p, { ignoreIndex: 255, classWeights: [1, 2] })).toThrow(
      /classWeights has 2 entries but yPred has 3 classes/,
    );
    expect(() => fn(name)(labels, p, { ignoreIndex: 2.5 })).toThrow(
      /ignoreIndex must be an integer/,
    );
    tf.dispose([t, p, labels]);
  });

  it.each([...listLosses(), ...listMetrics()].filter((name) => !SPARSE.has(name)))(
    '%s rejects mismatched shapes and a missing batch axis',
    (name) => {
      const [t, p] = [binaryTrue(), classPred()];
      expect(() => fn(name)(t, p)).toThrow(
        new RegExp(`${name}: yTrue has shape \\[2,2,2,1\\] but yPred has shape \\[2,2,2,3\\]`),
      );
      const flat = tf.tensor1d([0.5]);
      expect(() => fn(name)(flat, flat)).toThrow(
        /expected a batch, \[N, H, W, C\], got shape \[1\]/,
      );
      tf.dispose([t, p, flat]);
    },
  );
});

/** Options each function rejects, some only after it has computed intermediate tensors. */
const BAD_OPTIONS: Record<string, object> = {
  bceDiceLoss: { bceWeight: -1 },
  categoricalCrossentropy: { classWeights: [1] },
  categoricalDiceLoss: { classWeights: [1] },
  diceLoss: { smooth: -1 },
  focalLoss: { alpha: 2 },
  jaccardLoss: { smooth: -1 },
  tverskyLoss: { beta: -1 },
  diceCoefficient: { threshold: 7 },
  iouScore: { threshold: 7 },
  meanIoU: { threshold: 7 },
  precision: { threshold: 7 },
  recall: { threshold: 7 },
  sparseCategoricalCrossentropy: { classWeights: [1] },
  sparseCategoricalDiceLoss: { ignoreIndex: 255, smooth: -1 },
  sparseCategoricalFocalLoss: { ignoreIndex: 255, gamma: -1 },
};

describe('no tensor leaks', () => {
  const functions = [...listLosses(), ...listMetrics()].map((name) => [name, fn(name)] as const);
  const composed = composeLosses([
    ['binaryCrossentropy', 1],
    ['diceLoss', 1],
  ]);

  it.each(functions)(
    '%s leaves only its result, also on errors and under tf.grad',
    (name, score) => {
      const multiclass = MULTICLASS_ONLY.has(name) || SPARSE.has(name);
      const [t, p] = SPARSE.has(name)
        ? [indexTrue(), classPred()]
        : multiclass
          ? [classTrue(), classPred()]
          : [binaryTrue(), binaryPred()];
      const options = multiclass
        ? { perImage: true, classWeights: [1, 2, 3], ignoreIndex: 255 }
        : { perImage: true, threshold: 0.5 };
      const wrongShape = tf.zeros([2, 2, 6, 1]);
      const before = tf.memory().numTensors;
      const result = score(t, p, SPARSE.has(name) ? { ignoreIndex: 255 } : undefined);
      expect(tf.memory().numTensors).toBe(before + 1);
      result.dispose();
      score(t, p, options).dispose();
      expect(() => score(t, wrongShape)).toThrow(/must match|expected class indices/);
      if (BAD_OPTIONS[name])
        expect(() => score(t, p, BAD_OPTIONS[name])).toThrow(/must be|entries/);
      if (listLosses().includes(name)) tf.grad((x: tf.Tensor) => score(t, x, options))(p).dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([t, p, wrongShape]);
    },
  );

  it('composeLosses', () => {
    const [t, p] = [binaryTrue(), binaryPred()];
    const before = tf.memory().numTensors;
    composed(t, p).dispose();
    tf.grad((x: tf.Tensor) => composed(t, x))(p).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t, p]);
  });
});
