import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import {
  bceDiceLoss,
  binaryCrossentropy,
  categoricalCrossentropy,
  categoricalDiceLoss,
  composeLosses,
  diceLoss,
  focalLoss,
  jaccardLoss,
  type LossFunction,
  listLosses,
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
  tverskyLoss,
} from '@unet/losses';
import { beforeAll, describe, expect, it } from 'vitest';

const BINARY_SHAPE = [2, 4, 4, 1];
const MULTICLASS_SHAPE = [2, 4, 4, 3];
const MASK = [
  1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0,
];
const CLASSES = MASK.map((v, i) => (v === 1 ? 1 : i % 3 === 0 ? 2 : 0));
const IGNORE = { ignoreIndex: 255 };

const binaryLosses: [string, LossFunction][] = [
  ['binaryCrossentropy', binaryCrossentropy],
  ['diceLoss', diceLoss],
  ['diceLoss perImage', (t, p) => diceLoss(t, p, { perImage: true })],
  ['jaccardLoss', jaccardLoss],
  ['jaccardLoss perImage', (t, p) => jaccardLoss(t, p, { perImage: true })],
  ['bceDiceLoss', bceDiceLoss],
  ['focalLoss', focalLoss],
  ['focalLoss gamma 0.5 alpha 0.25', (t, p) => focalLoss(t, p, { gamma: 0.5, alpha: 0.25 })],
  ['tverskyLoss', tverskyLoss],
  [
    'tverskyLoss 0.3/0.7 perImage',
    (t, p) => tverskyLoss(t, p, { alpha: 0.3, beta: 0.7, perImage: true }),
  ],
  [
    'composeLosses',
    composeLosses([
      ['focalLoss', 1],
      [jaccardLoss, 0.5],
    ]),
  ],
];
const multiclassLosses: [string, LossFunction][] = [
  ['categoricalCrossentropy', categoricalCrossentropy],
  [
    'categoricalCrossentropy classWeights',
    (t, p) => categoricalCrossentropy(t, p, { classWeights: [0, 1, 2] }),
  ],
  ['categoricalDiceLoss', categoricalDiceLoss],
  [
    'categoricalDiceLoss perImage classWeights',
    (t, p) => categoricalDiceLoss(t, p, { perImage: true, classWeights: [0, 1, 2] }),
  ],
];

// Class-index losses: yTrue [N, H, W, 1] of indices, 255 = ignored.
const sparseLosses: [string, LossFunction][] = [
  ['sparseCategoricalCrossentropy', (t, p) => sparseCategoricalCrossentropy(t, p, IGNORE)],
  [
    'sparseCategoricalCrossentropy classWeights',
    (t, p) => sparseCategoricalCrossentropy(t, p, { ...IGNORE, classWeights: [0, 1, 2] }),
  ],
  ['sparseCategoricalDiceLoss', (t, p) => sparseCategoricalDiceLoss(t, p, IGNORE)],
  [
    'sparseCategoricalDiceLoss perImage classWeights',
    (t, p) =>
      sparseCategoricalDiceLoss(t, p, { ...IGNORE, perImage: true, classWeights: [0, 1, 2] }),
  ],
  ['sparseCategoricalFocalLoss', (t, p) => sparseCategoricalFocalLoss(t, p, IGNORE)],
  [
    'sparseCategoricalFocalLoss gamma 0.5',
    (t, p) => sparseCategoricalFocalLoss(t, p, { ...IGNORE, gamma: 0.5, alpha: 1 }),
  ],
];

const constant = (value: number) => () => tf.fill(BINARY_SHAPE, value);
const mask = () => tf.tensor(MASK, BINARY_SHAPE);
const binaryEdges: [string, () => tf.Tensor, () => tf.Tensor][] = [
  ['pred 0', mask, constant(0)],
  ['pred 1', mask, constant(1)],
  ['empty mask, pred 0', constant(0), constant(0)],
  ['empty mask, pred 1', constant(0), constant(1)],
  ['full mask, pred 0', constant(1), constant(0)],
  ['perfect prediction', mask, mask],
  ['inverted prediction', mask, () => tf.sub(1, mask())],
];
const oneHot = (classes: number[]) => () =>
  tf.oneHot(tf.tensor1d(classes, 'int32'), 3).reshape(MULTICLASS_SHAPE);
const multiclassEdges: [string, () => tf.Tensor, () => tf.Tensor][] = [
  ['perfect one-hot', oneHot(CLASSES), oneHot(CLASSES)],
  ['wrong one-hot', oneHot(CLASSES), oneHot(CLASSES.map((c) => (c + 1) % 3))],
  ['absent classes, one-hot', oneHot(CLASSES.map(() => 0)), oneHot(CLASSES.map(() => 0))],
  ['uniform prediction', oneHot(CLASSES), () => tf.fill(MULTICLASS_SHAPE, 1 / 3)],
];

const indices = (classes: number[]) => () => tf.tensor(classes, BINARY_SHAPE);
const withVoid = CLASSES.map((c, i) => (i % 5 === 0 ? 255 : c));
const sparseEdges: [string, () => tf.Tensor, () => tf.Tensor][] = [
  ['perfect one-hot', indices(withVoid), oneHot(CLASSES)],
  ['wrong one-hot', indices(withVoid), oneHot(CLASSES.map((c) => (c + 1) % 3))],
  ['absent classes, one-hot', indices(CLASSES.map(() => 0)), oneHot(CLASSES.map(() => 0))],
  ['uniform prediction', indices(withVoid), () => tf.fill(MULTICLASS_SHAPE, 1 / 3)],
  ['all ignored', indices(CLASSES.map(() => 255)), oneHot(CLASSES)],
];

/** Loss value and gradient with respect to yPred, as plain numbers. */
function lossAndGradient(loss: LossFunction, yTrue: tf.Tensor, yPred: tf.Tensor) {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => loss(yTrue, p))(yPred);
    return { value: value.dataSync()[0]!, gradient: Array.from(grad.dataSync()) };
  });
}

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

describe('gradients stay finite at the edges', () => {
  it('every registered loss is in one of the tables', () => {
    const tables = [...binaryLosses, ...multiclassLosses, ...sparseLosses];
    const tested = new Set(tables.map(([label]) => label));
    for (const name of listLosses()) expect(tested).toContain(name);
  });

  const cases = [
    ...binaryLosses.flatMap(([label, loss]) =>
      binaryEdges.map((edge) => [label, loss, ...edge] as const),
    ),
    ...multiclassLosses.flatMap(([label, loss]) =>
      multiclassEdges.map((edge) => [label, loss, ...edge] as const),
    ),
    ...sparseLosses.flatMap(([label, loss]) =>
      sparseEdges.map((edge) => [label, loss, ...edge] as const),
    ),
  ];
  it.each(cases)('%s, %s', (_label, loss, _edge, makeTrue, makePred) => {
    const yTrue = makeTrue();
    const yPred = makePred();
    const { value, gradient } = lossAndGradient(loss, yTrue, yPred);
    tf.dispose([yTrue, yPred]);
    expect(Number.isFinite(value), `loss ${value}`).toBe(true);
    const bad = gradient.filter((g) => !Number.isFinite(g));
    expect(bad, 'non-finite gradient entries').toEqual([]);
  });

  it('a perfect prediction gives a lower loss than an inverted one, and a nonzero gradient when wrong', () => {
    for (const [label, loss] of binaryLosses) {
      const good = lossAndGradient(loss, mask(), mask());
      const bad = lossAndGradient(loss, mask(), tf.fill(BINARY_SHAPE, 0.5));
      expect(good.value, label).toBeLessThan(bad.value);
      expect(
        bad.gradient.some((g) => g !== 0),
        label,
      ).toBe(true);
    }
  });
});
