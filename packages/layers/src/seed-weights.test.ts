import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUnet } from './build-unet.js';
import type { UnetOptions } from './config.js';
import { NativeDropout } from './dropout.js';
import { deriveSeed } from './seed-weights.js';
import { useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

const small: UnetOptions = { preset: 'dsb2018', inputShape: [32, 32, 3] };

function weightsOf(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(
    model.weights.map((w) => [
      (w as unknown as { originalName: string }).originalName,
      w.read().dataSync() as Float32Array,
    ]),
  );
}

function std(values: Float32Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

describe('buildUnet seed', () => {
  it('builds identical initial weights from the same seed, different ones from another', () => {
    const a = buildUnet({ ...small, seed: 42 });
    const b = buildUnet({ ...small, seed: 42 });
    const c = buildUnet({ ...small, seed: 43 });
    const unseeded = buildUnet(small);
    const [wa, wb, wc, wu] = [weightsOf(a), weightsOf(b), weightsOf(c), weightsOf(unseeded)];
    expect([...wa.keys()]).toEqual([...wb.keys()]);
    for (const [name, values] of wa) {
      expect(Array.from(wb.get(name)!), name).toEqual(Array.from(values));
      const random = /kernel/.test(name);
      // Kernels differ between seeds; biases, gamma, beta and moving statistics are constants.
      expect(Array.from(wc.get(name)!).join() === Array.from(values).join(), name).toBe(!random);
      if (random && values.length > 1000) {
        // Redrawn from the layer's own initializer: same spread as an unseeded build.
        expect(std(values) / std(wu.get(name)!), name).toBeGreaterThan(0.9);
        expect(std(values) / std(wu.get(name)!), name).toBeLessThan(1.1);
      }
    }
    for (const m of [a, b, c, unseeded]) m.dispose();
  });

  it('seeds every dropout layer, by name', () => {
    const model = buildUnet({ ...small, seed: 42 });
    const drops = model.layers.filter((l) => l.getClassName() === 'Dropout');
    expect(drops.length).toBeGreaterThan(0);
    for (const layer of drops) {
      expect(layer.getConfig().seed).toBe(deriveSeed(42, layer.name));
    }
    model.dispose();
  });

  it('rejects a seed that is not an integer', () => {
    expect(() => buildUnet({ ...small, seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});

describe('NativeDropout with a seed', () => {
  // Without @unet/train's native RandomUniform kernel, both backends take the tfjs path.
  for (const backend of ['tensorflow', 'cpu']) {
    it(`repeats its sequence of masks and draws a new mask each step (${backend})`, async () => {
      await tf.setBackend(backend);
      const masks = (seed: number) => {
        const layer = new NativeDropout({ rate: 0.5, seed });
        const x = tf.ones([64]);
        const out = [0, 1].map(() => {
          const y = layer.apply(x, { training: true }) as tf.Tensor;
          const values = Array.from(y.dataSync());
          y.dispose();
          return values;
        });
        x.dispose();
        return out;
      };
      const [first, second] = masks(7);
      expect(masks(7)).toEqual([first, second]);
      expect(second).not.toEqual(first);
      await useNativeBackend();
    });
  }
});
