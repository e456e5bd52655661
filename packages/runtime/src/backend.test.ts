import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@unet/runtime';
import { describe, expect, it } from 'vitest';

const quiet = { log: () => {}, warn: () => {} };

function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) % 4294967296;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** conv2d forward and both gradients, as plain arrays, on the active backend. */
function conv2dWithGradients(x: Float32Array, w: Float32Array) {
  return tf.tidy(() => {
    const xs = tf.tensor4d(x, [2, 9, 9, 3]);
    const ws = tf.tensor4d(w, [3, 3, 3, 4]);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')
        .square()
        .sum();
    const { value, grads } = tf.valueAndGrads(f)([xs, ws]);
    const y = tf.conv2d(xs, ws, [2, 2], 'valid');
    return {
      y: Array.from(y.dataSync()),
      loss: value.dataSync()[0]!,
      dx: Array.from(grads[0]!.dataSync()),
      dw: Array.from(grads[1]!.dataSync()),
    };
  });
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('initBackend', () => {
  it("'auto' picks the native TensorFlow backend on this machine and says why", async () => {
    const lines: string[] = [];
    const name = await initBackend('auto', {
      log: (l) => lines.push(l),
      warn: (l) => lines.push(l),
    });
    expect(name).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend: tensorflow \(native TensorFlow C library/);
  });

  it('conv2d forward and gradients on tensorflow match the cpu backend to 1e-4, without leaks', async () => {
    const x = seeded(2 * 9 * 9 * 3, 1);
    const w = seeded(3 * 3 * 3 * 4, 2);
    await initBackend('tensorflow', quiet);
    const before = tf.memory().numTensors;
    const native = conv2dWithGradients(x, w);
    expect(tf.memory().numTensors).toBe(before);
    await initBackend('cpu', quiet);
    const reference = conv2dWithGradients(x, w);
    expect(maxAbsDiff(native.y, reference.y)).toBeLessThan(1e-4);
    expect(maxAbsDiff(native.dx, reference.dx)).toBeLessThan(1e-4);
    expect(maxAbsDiff(native.dw, reference.dw)).toBeLessThan(1e-4);
    expect(Math.abs(native.loss - reference.loss) / Math.abs(reference.loss)).toBeLessThan(1e-5);
    // The gradients are not trivially zero.
    expect(Math.max(...reference.dw.map(Math.abs))).toBeGreaterThan(0.1);
    await initBackend('tensorflow', quiet);
  });

  it('wasm loads when asked for', async () => {
    expect(await initBackend('wasm', quiet)).toBe('wasm');
    expect(tf.tensor([1, 2, 3]).square().sum().dataSync()[0]).toBe(14);
    await initBackend('tensorflow', quiet);
  });

  it('an unavailable backend is a clear error naming what is missing', async () => {
    await expect(initBackend('tensorflow-gpu', quiet)).rejects.toThrow(
      /backend 'tensorflow-gpu' is not available: .*To get it: install @tensorflow\/tfjs-node-gpu/,
    );
    // @ts-expect-error: not a backend name
    await expect(initBackend('metal', quiet)).rejects.toThrow(
      /unknown backend 'metal': use one of auto/,
    );
    expect(tf.getBackend()).toBe('tensorflow');
  });
});
