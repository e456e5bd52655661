import * as tf from '@tensorflow/tfjs';
import { batchNormalizationLayer, dropoutLayer, RANDOM_UNIFORM_KERNEL } from '@unet/layers';
import { enableFastPaths, initBackend } from '@unet/runtime';
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
    enableFastPaths(quiet);
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
    enableFastPaths(quiet);
    for (const [i, g] of reluGradient(values).entries()) expect(g).toBeCloseTo(native[i]!, 6);
    await initBackend('tensorflow', quiet);
    enableFastPaths(quiet);
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
    enableFastPaths(quiet);
    const layer = dropoutLayer({ rate: 0.5 });
    const zeros = tf.tidy(() => {
      const y = (layer.apply(tf.ones([1, 64, 64, 1]), { training: true }) as tf.Tensor).dataSync();
      return y.filter((v) => v === 0).length / y.length;
    });
    expect(zeros).toBeGreaterThan(0.4);
    expect(zeros).toBeLessThan(0.6);
    await initBackend('tensorflow', quiet);
    enableFastPaths(quiet);
  });

  it("batch normalization's fused training kernels match tfjs's layer: output, gradients, moving averages", () => {
    const before = tf.memory().numTensors;
    const run = (layer: tf.layers.Layer) =>
      tf.tidy(() => {
        const x = tf.tensor4d(
          Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 3)),
          [2, 5, 6, 3],
        );
        layer.build(x.shape);
        const weights = layer.getWeights();
        layer.setWeights([
          tf.tensor1d([1.5, 0.5, 2]),
          tf.tensor1d([0.1, -0.2, 0.3]),
          weights[2]!,
          weights[3]!,
        ]);
        const dy = tf.linspace(-1, 1, x.size).reshape(x.shape);
        const f = (input: tf.Tensor) =>
          (layer.apply(input, { training: true }) as tf.Tensor).mul(dy).sum();
        const { value, grads } = tf.variableGrads(() => f(x) as tf.Scalar);
        const dx = tf.grad(f)(x);
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        const out = {
          y: Array.from(y.dataSync()),
          loss: value.dataSync()[0]!,
          dx: Array.from(dx.dataSync()),
          dGamma: Array.from(
            Object.entries(grads)
              .find(([k]) => k.includes('gamma'))![1]
              .dataSync(),
          ),
          dBeta: Array.from(
            Object.entries(grads)
              .find(([k]) => k.includes('beta'))![1]
              .dataSync(),
          ),
          moving: layer
            .getWeights()
            .slice(2)
            .map((w) => Array.from(w.dataSync())),
        };
        return out;
      });
    const native = run(batchNormalizationLayer({ name: 'native_bn' }));
    const reference = run(tf.layers.batchNormalization({ name: 'tfjs_bn' }));
    const close = (a: number[], b: number[]) => {
      expect(a).toHaveLength(b.length);
      for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]!, 4);
    };
    close(native.y, reference.y);
    close(native.dx, reference.dx);
    close(native.dGamma, reference.dGamma);
    close(native.dBeta, reference.dBeta);
    close(native.moving[0]!, reference.moving[0]!);
    close(native.moving[1]!, reference.moving[1]!);
    expect(Math.abs(native.loss - reference.loss)).toBeLessThan(1e-3);
    expect(Math.max(...native.dGamma.map(Math.abs))).toBeGreaterThan(0.01);
    // Each layer keeps its 4 weights; nothing else may stay behind.
    expect(tf.memory().numTensors).toBe(before + 8);
  });

  it('batch normalization in training runs the fused kernels (and tfjs ops at inference)', async () => {
    const layer = batchNormalizationLayer();
    const x = tf.randomNormal([2, 4, 4, 3]);
    const kernelsOf = async (training: boolean) =>
      (
        await tf.profile(() => {
          tf.tidy(() =>
            tf.grad((v: tf.Tensor) => (layer.apply(v, { training }) as tf.Tensor).sum())(x),
          );
        })
      ).kernelNames;
    const trainingKernels = await kernelsOf(true);
    expect(trainingKernels).toEqual(
      expect.arrayContaining(['UnetBatchNormTraining', 'UnetBatchNormGrad']),
    );
    expect(await kernelsOf(false)).not.toContain('UnetBatchNormTraining');
    x.dispose();
  });
});
