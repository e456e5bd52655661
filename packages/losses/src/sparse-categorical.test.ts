import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import {
  categoricalCrossentropy,
  categoricalDiceLoss,
  compileWithNamedLosses,
  getLoss,
  type LossFunction,
  loadModelWithLosses,
  lossNamesOf,
  type SparseClassOptions,
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
} from '@unet/losses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SHAPE = [2, 3, 4];
const C = 4;
const VOID = 11;
// 24 pixels, 5 of them void; class 3 occurs once.
const LABELS = [0, 1, 2, 11, 0, 0, 1, 1, 2, 11, 3, 0, 11, 1, 1, 2, 0, 0, 11, 2, 2, 1, 0, 11];
const ignored = LABELS.flatMap((label, i) => (label === VOID ? [i] : []));

const labels = (values = LABELS, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(values, [...SHAPE, 1], dtype);
const logits = (seed: number) =>
  Array.from({ length: LABELS.length * C }, (_, i) => 2 * Math.sin(seed * 7.1 + i * 1.37));
const probabilities = (seed = 1) => tf.softmax(tf.tensor(logits(seed), [...SHAPE, C]));

const options: SparseClassOptions = { ignoreIndex: VOID, classWeights: [0.5, 2, 1, 3] };
const LOSSES: [string, LossFunction<SparseClassOptions>][] = [
  ['sparseCategoricalCrossentropy', sparseCategoricalCrossentropy],
  ['sparseCategoricalDiceLoss', sparseCategoricalDiceLoss],
  [
    'sparseCategoricalDiceLoss perImage',
    (t, p, o) => sparseCategoricalDiceLoss(t, p, { ...o, perImage: true }),
  ],
  ['sparseCategoricalFocalLoss', sparseCategoricalFocalLoss],
];

const value = (fn: () => tf.Scalar) => tf.tidy(() => fn().dataSync()[0]!);

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

describe('sparse losses ignore the ignore index', () => {
  it.each(LOSSES)(
    '%s: predictions at ignored pixels change neither loss nor gradient elsewhere',
    (_name, loss) => {
      const t = labels();
      const p = probabilities(1);
      // Different predictions, but only at the void pixels.
      const other = tf.tidy(() => {
        const keep = tf.tensor(
          LABELS.map((l) => (l === VOID ? 0 : 1)),
          [...SHAPE, 1],
        );
        return tf.add(tf.mul(p, keep), tf.mul(probabilities(2), tf.sub(1, keep)));
      });
      const grads = tf.tidy(() =>
        [p, other].map((pred) =>
          Array.from(
            tf
              .grad((x: tf.Tensor) => loss(t, x, options))(pred)
              .dataSync(),
          ),
        ),
      );
      const a = value(() => loss(t, p, options));
      const b = value(() => loss(t, other, options));
      expect(b).toBe(a);
      expect(grads[1]).toEqual(grads[0]);
      // Ignored pixels get no gradient at all; counted ones do.
      for (const i of ignored) expect(grads[0]!.slice(i * C, (i + 1) * C)).toEqual([0, 0, 0, 0]);
      expect(grads[0]!.some((g) => g !== 0)).toBe(true);
      // The same predictions with the void labels changed to a class do change the loss.
      const relabelled = labels(LABELS.map((l) => (l === VOID ? 3 : l)));
      expect(value(() => loss(relabelled, p, options))).not.toBeCloseTo(a, 4);
      tf.dispose([t, p, other, relabelled]);
    },
  );

  it.each(LOSSES)(
    '%s: checkLabels false reads nothing back and gives the same value on valid labels',
    (_name, loss) => {
      const t = labels();
      const p = probabilities();
      const checked = value(() => loss(t, p, options));
      // The check is a dataSync of a count; a compiled step cannot replay such a read.
      let reads = 0;
      const dataSync = tf.Tensor.prototype.dataSync;
      tf.Tensor.prototype.dataSync = function (this: tf.Tensor) {
        reads++;
        return dataSync.call(this);
      } as typeof dataSync;
      try {
        const result = tf.tidy(() => loss(t, p, { ...options, checkLabels: false }));
        expect(reads).toBe(0);
        expect(result.dataSync()[0]).toBeCloseTo(checked, 6);
        result.dispose();
      } finally {
        tf.Tensor.prototype.dataSync = dataSync;
      }
      tf.dispose([t, p]);
    },
  );

  it.each(LOSSES)(
    '%s: an undeclared ignore value is an error, as is a one-hot yTrue',
    (name, loss) => {
      const t = labels();
      const p = probabilities();
      expect(() => loss(t, p)).toThrow(
        /5 label\(s\) are not class indices 0\.\.3 \(no ignoreIndex set\) \(e\.g\. 11\)/,
      );
      expect(() => loss(t, p, { ignoreIndex: 255 })).toThrow(/nor the ignore index 255/);
      const oneHot = tf.oneHot(
        tf.tensor(
          LABELS.map((l) => l % 4),
          SHAPE,
          'int32',
        ),
        C,
      );
      expect(() => loss(oneHot, p, options)).toThrow(
        new RegExp(`${name.split(' ')[0]}: yTrue has shape \\[2,3,4,4\\] and yPred \\[2,3,4,4\\]`),
      );
      tf.dispose([t, p, oneHot]);
    },
  );

  it.each(LOSSES)('%s: is 0 when every pixel is ignored, and leaks no tensor', (_name, loss) => {
    const t = labels(LABELS.map(() => VOID));
    const p = probabilities();
    const badLabels = labels([...LABELS.slice(1), 4]);
    const before = tf.memory().numTensors;
    expect(value(() => loss(t, p, options))).toBe(0);
    loss(t, p, options).dispose();
    tf.grad((x: tf.Tensor) => loss(t, x, options))(p).dispose();
    expect(() => loss(t, p, { ...options, classWeights: [1] })).toThrow(
      /classWeights has 1 entries/,
    );
    expect(() => loss(badLabels, p, options)).toThrow(/not class indices/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t, p, badLabels]);
  });
});

describe('sparse losses agree with the one-hot losses where both apply', () => {
  // Without void pixels, the sparse losses equal the categorical ones on the one-hot truth.
  const classes = LABELS.map((l) => (l === VOID ? 1 : l));
  const oneHot = () => tf.oneHot(tf.tensor(classes, SHAPE, 'int32'), C).toFloat();

  it('cross-entropy and Dice, with class weights; int32 and [N, H, W] labels too', () => {
    const p = probabilities(3);
    const t = labels(classes);
    const weights = { classWeights: [0.5, 2, 1, 3] };
    const expectedCe = value(() => categoricalCrossentropy(oneHot(), p, weights));
    expect(value(() => sparseCategoricalCrossentropy(t, p, weights))).toBeCloseTo(expectedCe, 5);
    const asInt = labels(classes, 'int32');
    const flat = tf.tensor(classes, SHAPE);
    expect(value(() => sparseCategoricalCrossentropy(asInt, p, weights))).toBeCloseTo(
      expectedCe,
      5,
    );
    expect(value(() => sparseCategoricalCrossentropy(flat, p, weights))).toBeCloseTo(expectedCe, 5);
    for (const perImage of [false, true]) {
      const expected = value(() => categoricalDiceLoss(oneHot(), p, { ...weights, perImage }));
      expect(value(() => sparseCategoricalDiceLoss(t, p, { ...weights, perImage }))).toBeCloseTo(
        expected,
        5,
      );
    }
    tf.dispose([p, t, asInt, flat]);
  });

  it('focal with gamma 0 and alpha 1 is the cross-entropy of normalized probabilities', () => {
    const p = probabilities(4);
    const t = labels();
    const ce = value(() => sparseCategoricalCrossentropy(t, p, options));
    const focal = value(() => sparseCategoricalFocalLoss(t, p, { ...options, gamma: 0, alpha: 1 }));
    expect(focal).toBeCloseTo(ce, 5);
    // Hand check of one focal term: a single counted pixel.
    const one = tf.tensor([2, 11], [1, 1, 2, 1]);
    const pred = tf.tensor([0.1, 0.2, 0.7, 0, 0.25, 0.25, 0.25, 0.25], [1, 1, 2, C]);
    const expected = 0.25 * 0.3 ** 2 * -Math.log(0.7);
    expect(value(() => sparseCategoricalFocalLoss(one, pred, { ignoreIndex: 11 }))).toBeCloseTo(
      expected,
      6,
    );
    tf.dispose([p, t, one, pred]);
  });
});

describe('registered by name: train, save and load', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-sparse-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    'sparseCategoricalCrossentropy',
    'sparseCategoricalDiceLoss',
    'sparseCategoricalFocalLoss',
  ])('%s', async (name) => {
    expect(getLoss(name).name).toBe(name);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [4, 4, 2],
          filters: 3,
          kernelSize: 1,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
        }),
      ],
    });
    compileWithNamedLosses(model, { optimizer: tf.train.adam(0.05), loss: name });
    const x = tf.randomUniform([4, 4, 4, 2], 0, 1, 'float32', 3);
    const y = tf.tidy(() => tf.floor(tf.mul(x.slice([0, 0, 0, 0], [4, 4, 4, 1]), 2.999)));
    // tfjs's model.fit() insists on one-hot-shaped targets for any loss but its own sparse
    // one; datasets are not shape-checked, and are what the training pipeline feeds.
    const data = () => tf.data.zip({ xs: tf.data.array([x]), ys: tf.data.array([y]) });
    const evaluate = async (m: tf.LayersModel) => {
      const result = (await m.evaluateDataset(data() as never, {})) as tf.Scalar;
      const v = result.dataSync()[0]!;
      result.dispose();
      return v;
    };
    const before = await evaluate(model);
    await model.fitDataset(data() as never, { epochs: 8, verbose: 0 });
    const after = await evaluate(model);
    expect(after, `${before} -> ${after}`).toBeLessThan(before);
    const url = `file://${path.join(dir, name)}`;
    await model.save(url, { includeOptimizer: true });
    const loaded = await loadModelWithLosses(`${url}/model.json`);
    expect(lossNamesOf(loaded)?.loss).toBe(name);
    expect(await evaluate(loaded)).toBeCloseTo(after, 5);
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });
});
