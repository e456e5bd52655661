import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import * as api from '@unet/losses';
import {
  composeLosses,
  diceLoss,
  getLoss,
  getMetric,
  type LossFunction,
  listLosses,
  listMetrics,
  lossNameOf,
  metricNameOf,
  registerLoss,
  registerMetric,
} from '@unet/losses';
import { beforeAll, describe, expect, it } from 'vitest';

const meanAbsoluteError: LossFunction = (yTrue, yPred) =>
  tf.tidy(() => tf.mean(tf.abs(tf.sub(yTrue, yPred))));

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

describe('registry', () => {
  it('lists the built-ins under stable names equal to their exported function names', () => {
    expect(listLosses()).toEqual([
      'bceDiceLoss',
      'binaryCrossentropy',
      'categoricalCrossentropy',
      'categoricalDiceLoss',
      'diceLoss',
      'focalLoss',
      'jaccardLoss',
      'sparseCategoricalCrossentropy',
      'sparseCategoricalDiceLoss',
      'sparseCategoricalFocalLoss',
      'tverskyLoss',
    ]);
    expect(listMetrics()).toEqual([
      'diceCoefficient',
      'iouScore',
      'meanIoU',
      'precision',
      'recall',
    ]);
    for (const name of [...listLosses(), ...listMetrics()]) {
      const exported = (api as Record<string, unknown>)[name] as LossFunction;
      expect(exported.name).toBe(name);
      expect(listLosses().includes(name) ? getLoss(name) : getMetric(name)).toBe(exported);
    }
  });

  it('getLoss and getMetric fail listing the valid names and a likely match', () => {
    expect(() => getLoss('dice')).toThrow(
      /Unknown loss 'dice'\. Valid loss names: bceDiceLoss, .*tverskyLoss/,
    );
    expect(() => getLoss('dice_loss')).toThrow(/Did you mean 'diceLoss'\?/);
    expect(() => getLoss('DiceCoefficient')).toThrow(/Unknown loss/);
    expect(() => getMetric('mean_iou')).toThrow(
      /Did you mean 'meanIoU'\?.*diceCoefficient.*diceLoss \(loss\)/,
    );
  });

  it('getMetric falls back to losses; metricNameOf finds losses too', () => {
    expect(getMetric('diceLoss')).toBe(diceLoss);
    expect(metricNameOf(diceLoss)).toBe('diceLoss');
    expect(lossNameOf(api.diceCoefficient)).toBeUndefined();
  });

  it('registerLoss adds a loss, named for tfjs, and is idempotent', () => {
    const registered = registerLoss('mae', meanAbsoluteError);
    expect(registered.name).toBe('mae');
    expect(getLoss('mae')).toBe(registered);
    expect(lossNameOf(meanAbsoluteError)).toBe('mae');
    expect(lossNameOf(registered)).toBe('mae');
    expect(registerLoss('mae', meanAbsoluteError)).toBe(registered);
    const value = tf.tidy(() => registered(tf.tensor([1, 0]), tf.tensor([0.5, 0.5])).dataSync()[0]);
    expect(value).toBeCloseTo(0.5, 6);
  });

  it('registerLoss keeps a function whose name already matches', () => {
    function weightedDice(yTrue: tf.Tensor, yPred: tf.Tensor) {
      return diceLoss(yTrue, yPred, { smooth: 0.1 });
    }
    expect(registerLoss('weightedDice', weightedDice)).toBe(weightedDice);
  });

  it.each([
    ['', /name "" is not valid/],
    ['1loss', /is not valid/],
    ['my loss', /is not valid/],
    ['val/loss', /is not valid/],
  ])('registerLoss rejects the name %j', (name, message) => {
    expect(() => registerLoss(name, meanAbsoluteError)).toThrow(message);
  });

  it('registerLoss refuses to replace a different function unless told to', () => {
    const other: LossFunction = (t, p) => diceLoss(t, p);
    expect(() => registerLoss('diceLoss', other)).toThrow(
      /already registered as 'diceLoss'.*override: true/,
    );
    expect(() => registerMetric('iouScore', other)).toThrow(/already registered/);
    registerMetric('customScore', other);
    const replacement: LossFunction = (t, p) => diceLoss(t, p, { smooth: 2 });
    const registered = registerMetric('customScore', replacement, { override: true });
    expect(getMetric('customScore')).toBe(registered);
    expect(() => registerLoss('notAFunction', 42 as unknown as LossFunction)).toThrow(
      /must be a function/,
    );
  });

  it('composeLosses validates its terms and names the result', () => {
    expect(
      composeLosses([
        ['binaryCrossentropy', 1],
        [diceLoss, 0.5],
      ]).name,
    ).toBe('1xbinaryCrossentropy_plus_0.5xdiceLoss');
    expect(composeLosses([[diceLoss, 1]], { name: 'justDice' }).name).toBe('justDice');
    expect(() => composeLosses([])).toThrow(/at least one/);
    expect(() => composeLosses([['dcie', 1]])).toThrow(/Unknown loss 'dcie'/);
    expect(() => composeLosses([[diceLoss, -1]])).toThrow(/diceLoss\) has weight -1/);
    expect(() => composeLosses([[diceLoss, Number.NaN]])).toThrow(/weights must be finite/);
  });

  it('the CommonJS build shares the registry with the ESM build', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('@unet/losses') as typeof api;
    expect(cjs.registerLoss).not.toBe(registerLoss);
    const fromCjs: LossFunction = (t, p) => diceLoss(t, p);
    cjs.registerLoss('registeredThroughCjs', fromCjs);
    expect(lossNameOf(fromCjs)).toBe('registeredThroughCjs');
    expect(getLoss('registeredThroughCjs').name).toBe('registeredThroughCjs');
    expect(cjs.getLoss('diceLoss')).toBe(diceLoss);
  });
});
