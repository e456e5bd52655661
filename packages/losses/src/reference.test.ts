import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import * as api from '@unet/losses';
import { beforeAll, describe, expect, it } from 'vitest';

interface ReferenceInput {
  shape: number[];
  /** Shape of yTrue when it differs from `shape` (class-index masks of the sparse losses). */
  trueShape?: number[];
  yTrue: number[];
  yPred: number[];
}
interface ReferenceCase {
  fn: string;
  options: Record<string, unknown>;
  input: string;
  expected: number;
  reference: string;
}
interface ReferenceFile {
  tensorflow: string;
  inputs: Record<string, ReferenceInput>;
  cases: ReferenceCase[];
}

const reference: ReferenceFile = JSON.parse(
  fs.readFileSync(new URL('../reference/keras-reference.json', import.meta.url), 'utf8'),
);

/** 1e-5, relative above 1 (BCE of a confidently wrong pixel is ~16, float32 ulp there ~2e-6). */
const TOLERANCE = 1e-5;

type AnyScoreFunction = (yTrue: tf.Tensor, yPred: tf.Tensor, options?: unknown) => tf.Scalar;

function exported(name: string): AnyScoreFunction {
  const fn = (api as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`@unet/losses does not export ${name}`);
  return fn as AnyScoreFunction;
}

function evaluate(c: ReferenceCase): number {
  const input = reference.inputs[c.input]!;
  return tf.tidy(() => {
    const yTrue = tf.tensor(input.yTrue, input.trueShape ?? input.shape, 'float32');
    const yPred = tf.tensor(input.yPred, input.shape, 'float32');
    return exported(c.fn)(yTrue, yPred, c.options).dataSync()[0]!;
  });
}

beforeAll(async () => {
  await tf.setBackend('tensorflow');
});

describe('Keras reference values (reference/keras-reference.json)', () => {
  it('covers every registered loss and metric with edge inputs', () => {
    const covered = new Set(reference.cases.map((c) => c.fn));
    for (const name of [...api.listLosses(), ...api.listMetrics()]) {
      expect(covered, `no reference case for ${name}`).toContain(name);
    }
    const inputs = Object.keys(reference.inputs);
    for (const edge of ['empty_mask', 'perfect', 'confident', 'extremes']) {
      expect(
        inputs.some((name) => name.includes(edge)),
        edge,
      ).toBe(true);
    }
    expect(reference.cases.length).toBeGreaterThan(200);
  });

  const byFunction = new Map<string, ReferenceCase[]>();
  for (const c of reference.cases) byFunction.set(c.fn, [...(byFunction.get(c.fn) ?? []), c]);
  for (const [fn, cases] of byFunction) {
    it(`${fn} matches TensorFlow ${reference.tensorflow} to ${TOLERANCE}`, () => {
      const mismatches = cases.flatMap((c) => {
        const actual = evaluate(c);
        const error = Math.abs(actual - c.expected) / Math.max(1, Math.abs(c.expected));
        return Number.isFinite(actual) && error <= TOLERANCE
          ? []
          : [
              `${c.input} ${JSON.stringify(c.options)}: got ${actual}, ${c.reference} = ${c.expected}`,
            ];
      });
      expect(mismatches).toEqual([]);
    });
  }
});
