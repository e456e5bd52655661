import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { DT } from './proto.js';
import { type NodeBackend, nodeBackend } from './recorder.js';
import { isReleased, releaseCopy } from './released-copies.js';

const quiet = { log: () => {}, warn: () => {} };

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
});

/** A variable holding its own data (the tensor it was made from is gone, as in a model). */
const variable = () => tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));

/** A new binding tensor holding `values`, as a session's fetch gives one. */
const bindingTensor = (backend: NodeBackend, values: number[]) =>
  backend.binding.createTensor([values.length], DT.float, new Float32Array(values));

/** Tensors the binding holds (tfjs's own count does not see a released copy's fetch). */
const bindingTensors = (backend: NodeBackend) =>
  (backend.binding as unknown as { getNumOfTensors(): number }).getNumOfTensors();

/** A released variable and a fetch that counts its calls, giving `values`. */
function released(values: number[]) {
  const backend = nodeBackend()!;
  const v = variable();
  const calls = { n: 0 };
  const ok = releaseCopy(backend, v, () => {
    calls.n++;
    return bindingTensor(backend, values);
  });
  return { backend, v, calls, ok };
}

describe('released copies (tfjs-node)', () => {
  it('frees the data in TensorFlow and fetches it back under the same tensor on a read', () => {
    const before = tf.memory().numTensors;
    const { backend, v, calls, ok } = released([7, 8, 9]);
    const held = bindingTensors(backend);
    expect(ok).toBe(true);
    expect(isReleased(backend, v)).toBe(true);
    const dataId = v.dataId;
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    expect(v.dataId).toBe(dataId);
    // The fetch is a binding tensor the variable now owns.
    expect(bindingTensors(backend)).toBe(held + 1);
    expect(isReleased(backend, v)).toBe(false);
    // Fetched once; later reads and ops use the fetched values.
    const added = v.add(1);
    expect(Array.from(added.dataSync())).toEqual([8, 9, 10]);
    expect(calls.n).toBe(1);
    tf.dispose([added, v]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an op reading a released tensor fetches it first', () => {
    const { v, calls } = released([1, 1, 1]);
    const sum = tf.tidy(() => v.mul(2).sum());
    expect(sum.dataSync()[0]).toBe(6);
    expect(calls.n).toBe(1);
    tf.dispose([sum, v]);
  });

  it('disposing a released tensor fetches nothing; disposing a fetched one frees its fetch', () => {
    const before = tf.memory().numTensors;
    const { v, calls } = released([0, 0, 0]);
    v.dispose();
    expect(calls.n).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const fetched = released([1, 2, 3]);
    const held = bindingTensors(fetched.backend);
    fetched.v.dataSync();
    fetched.v.dispose();
    expect(bindingTensors(fetched.backend)).toBe(held);
  });

  it('keeps a tensor a clone shares (the clone would change under it)', () => {
    const backend = nodeBackend()!;
    const v = variable();
    const clone = v.clone();
    expect(releaseCopy(backend, v, () => bindingTensor(backend, [0, 0, 0]))).toBe(false);
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([v, clone]);
  });

  it('a second release changes the fetch; a fetch that throws leaves the tensor released', () => {
    const { backend, v, calls } = released([4, 5, 6]);
    let fail = true;
    releaseCopy(backend, v, () => {
      if (fail) throw new Error('the session is busy');
      return bindingTensor(backend, [9, 9, 9]);
    });
    expect(() => v.dataSync()).toThrow(/busy/);
    expect(isReleased(backend, v)).toBe(true);
    fail = false;
    expect(Array.from(v.dataSync())).toEqual([9, 9, 9]);
    expect(calls.n).toBe(0);
    v.dispose();
  });
});
