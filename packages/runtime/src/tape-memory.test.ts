import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { enableFastPaths, initBackend, setTapeMemoryRelease } from '@unet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const quiet = { log: () => {}, warn: () => {} };

/** Loss and every weight gradient of one U-Net step, and the step's peak tensor bytes. */
async function unetStep(model: tf.LayersModel) {
  const x = tf.tidy(() =>
    tf
      .linspace(0, 1, 2 * 32 * 32 * 3)
      .reshape([2, 32, 32, 3])
      .sin()
      .abs(),
  );
  const y = tf.tidy(() =>
    tf
      .linspace(-1, 1, 2 * 32 * 32)
      .reshape([2, 32, 32, 1])
      .cos()
      .greater(0.7)
      .toFloat(),
  );
  let result: { loss: number; grads: number[][] } | undefined;
  const profile = await tf.profile(() => {
    result = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.logLoss(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      );
      return {
        loss: value.dataSync()[0]!,
        grads: Object.values(grads).map((g) => Array.from(g.dataSync())),
      };
    });
  });
  tf.dispose([x, y]);
  return { ...result!, peakBytes: profile.peakBytes };
}

describe('setTapeMemoryRelease: gradients freed during backpropagation', () => {
  beforeAll(async () => {
    await initBackend('tensorflow', quiet);
    enableFastPaths(quiet);
  });
  afterAll(() => setTapeMemoryRelease(true));

  it.each(['satellite', 'dsb2018'] as const)(
    '%s U-Net: the same loss and gradients, bit for bit, with a lower peak (on after initBackend)',
    async (preset) => {
      const model = buildUnet({ preset, inputShape: [32, 32, 3], dropout: 0 });
      const before = tf.memory().numTensors;
      const released = await unetStep(model); // as initBackend left it
      setTapeMemoryRelease(false);
      const kept = await unetStep(model);
      setTapeMemoryRelease(true);
      expect(tf.memory().numTensors).toBe(before);
      expect(released.loss).toBe(kept.loss);
      expect(released.grads).toEqual(kept.grads);
      expect(released.peakBytes).toBeLessThan(kept.peakBytes * 0.95);
      model.dispose();
    },
  );

  it('custom gradients that return dy itself, for two inputs, stay valid', () => {
    const before = tf.memory().numTensors;
    const passThrough = tf.customGrad((a, b, save) => {
      (save as (t: tf.Tensor[]) => void)([a as tf.Tensor]);
      return {
        value: tf.add(a as tf.Tensor, b as tf.Tensor),
        gradFunc: (dy: tf.Tensor) => [dy, dy],
      };
    });
    const [ga, gb] = tf.tidy(() => {
      const f = (p: tf.Tensor, q: tf.Tensor) => passThrough(p.mul(2), q.square()).sum();
      const [dp, dq] = tf.grads(f)([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])]);
      return [Array.from(dp!.dataSync()), Array.from(dq!.dataSync())];
    });
    expect(ga).toEqual([2, 2]);
    expect(gb).toEqual([6, 8]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves the caller's dy alone and keeps higher-order gradients right", () => {
    const dy = tf.tensor1d([1, 10]);
    const x = tf.tensor1d([2, 3]);
    const dx = tf.grad((v: tf.Tensor) => v.square())(x, dy);
    expect(dy.isDisposed).toBe(false);
    expect(Array.from(dy.dataSync())).toEqual([1, 10]);
    expect(Array.from(dx.dataSync())).toEqual([4, 60]);
    // d2/dx2 of x^3 = 6x
    const second = tf.grad((v: tf.Tensor) =>
      tf
        .grad((w: tf.Tensor) => w.pow(3).sum())(v)
        .sum(),
    )(x);
    expect(Array.from(second.dataSync())).toEqual([12, 18]);
    tf.dispose([dy, x, dx, second]);
  });
});
