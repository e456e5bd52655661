import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { weightDifference } from './weight-difference.js';

describe('weightDifference', () => {
  it('gives the largest difference and the distance apart as a share of the distance travelled', () => {
    const initial = [tf.tensor1d([0, 0]), tf.tensor2d([[0, 0]])];
    const b = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // travelled 5
    const a = [tf.tensor1d([3, 0.6]), tf.tensor2d([[0, 4.8]])]; // 1 apart: 0.6, 0.8
    const got = weightDifference(a, b, initial);
    expect(got.max).toBeCloseTo(0.8, 6);
    expect(got.relative).toBeCloseTo(0.2, 6);
    expect(weightDifference(a, b).relative).toBeNull();
    expect(weightDifference(a, a).max).toBe(0);
    expect(() => weightDifference(a, b.slice(1))).toThrow(/2 weights against 1/);
    expect(() => weightDifference(a, b, initial.slice(1))).toThrow(/2 weights against 1/);
    tf.dispose([...initial, ...a, ...b]);
  });
});
