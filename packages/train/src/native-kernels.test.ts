import * as tf from '@tensorflow/tfjs';
import { dropoutLayer, RANDOM_UNIFORM_KERNEL } from '@unet/layers';
import { initBackend } from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';

const quiet = { log: () => {}, warn: () => {} };

function reluGradient(values: number[]): number[] {
  return tf.tidy(() => {
    const x = tf.tensor1d(values);
    const dy = tf.linspace(1, 2, values.length);
    const f = (v: tf.Tensor) => tf.relu(v).mul(dy).sum();
    return Array.from(tf.grad(f)(x).dataSync());
  });
}

describe('native kernels of the tensorflow backend', () => {
  beforeAll(async () => {
    await initBackend('tensorflow', quiet);
  });

  it('registers the dropout noise kernel for tensorflow only', () => {
    expect(tf.getKernel(RANDOM_UNIFORM_KERNEL, 'tensorflow')).toBeDefined();
    expect(tf.getKernel(RANDOM_UNIFORM_KERNEL, 'cpu')).toBeUndefined();
  });

  it("ReLU's native gradient equals tfjs's dy * step(x), and cpu's", async () => {
    const values = [-3, -1e-6, 0, 1e-6, 0.5, 2, -0.25, 7];
    const native = reluGradient(values);
    const expected = values.map((v, i) => (v > 0 ? 1 + i / (values.length - 1) : 0));
    for (const [i, g] of native.entries()) expect(g).toBeCloseTo(expected[i]!, 6);
    await initBackend('cpu', quiet);
    for (const [i, g] of reluGradient(values).entries()) expect(g).toBeCloseTo(native[i]!, 6);
    await initBackend('tensorflow', quiet);
  });

  it('dropout with native noise keeps about 1 - rate of the values, scaled by 1 / (1 - rate)', () => {
    const layer = dropoutLayer({ rate: 0.3 });
    const before = tf.memory().numTensors;
    const [zeros, scaled, mean] = tf.tidy(() => {
      const x = tf.ones([4, 64, 64, 8]);
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const values = y.dataSync();
      let z = 0;
      let s = 0;
      for (const v of values) {
        if (v === 0) z++;
        else if (Math.abs(v - 1 / 0.7) < 1e-5) s++;
      }
      return [z / values.length, s / values.length, y.mean().dataSync()[0]!];
    });
    expect(zeros).toBeGreaterThan(0.29);
    expect(zeros).toBeLessThan(0.31);
    expect(zeros + scaled).toBe(1);
    expect(mean).toBeGreaterThan(0.98);
    expect(mean).toBeLessThan(1.02);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dropout draws a new mask per call, is the identity at inference and passes gradients through the mask', () => {
    const layer = dropoutLayer({ rate: 0.5 });
    tf.tidy(() => {
      const x = tf.ones([1, 32, 32, 4]);
      const a = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
      const b = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
      expect(a.some((v, i) => v !== b[i])).toBe(true);
      expect(Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync())).toEqual(
        Array.from(x.dataSync()),
      );
      const g = tf
        .grad((v: tf.Tensor) => (layer.apply(v, { training: true }) as tf.Tensor).sum())(x)
        .dataSync();
      expect(new Set(Array.from(g))).toEqual(new Set([0, 2]));
    });
  });

  it('dropout falls back to tfjs noise on backends without the kernel', async () => {
    await initBackend('cpu', quiet);
    const layer = dropoutLayer({ rate: 0.5 });
    const zeros = tf.tidy(() => {
      const y = (layer.apply(tf.ones([1, 64, 64, 1]), { training: true }) as tf.Tensor).dataSync();
      return y.filter((v) => v === 0).length / y.length;
    });
    expect(zeros).toBeGreaterThan(0.4);
    expect(zeros).toBeLessThan(0.6);
    await initBackend('tensorflow', quiet);
  });
});
