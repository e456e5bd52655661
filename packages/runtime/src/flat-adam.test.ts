import * as tf from '@tensorflow/tfjs';
import { createOptimizer, enableFastPaths, FlatAdamOptimizer, initBackend } from '@unet/runtime';
import { beforeAll, describe, expect, it } from 'vitest';

const SHAPES = [[3, 3, 2, 4], [4], [1, 1, 4, 1], [1], [5, 7]];
let prefix = 0;

/** Variables of several shapes with fixed values, and a loss whose gradient differs per step. */
function problem() {
  const id = ++prefix;
  const vars = SHAPES.map((shape, i) =>
    tf.variable(
      tf.tidy(() =>
        tf
          .linspace(
            -1,
            1,
            shape.reduce((a, b) => a * b, 1),
          )
          .add(i * 0.1)
          .sin()
          .reshape(shape),
      ),
      true,
      `flat_adam_${id}_${i}`,
    ),
  );
  const loss = (step: number) => () =>
    tf.addN(
      vars.map((v, i) =>
        v
          .sub(step * 0.3 + i)
          .square()
          .mul(i + 1)
          .mean(),
      ),
    ) as tf.Scalar;
  return { vars, loss };
}

function values(vars: tf.Variable[]) {
  return vars.map((v) => Array.from(v.dataSync()));
}

async function slotValues(optimizer: tf.Optimizer) {
  const weights = await optimizer.getWeights();
  return weights.map((w) => ({
    name: w.name.replace(/^flat_adam_\d+_/, ''),
    values: Array.from(w.tensor.dataSync()),
  }));
}

describe('FlatAdamOptimizer', () => {
  beforeAll(async () => {
    await initBackend('tensorflow', { log: () => {}, warn: () => {} });
    enableFastPaths({ log: () => {}, warn: () => {} });
  });

  it("is createOptimizer('adam'), named Adam like tfjs's", () => {
    const optimizer = createOptimizer('adam', 1e-3);
    expect(optimizer).toBeInstanceOf(FlatAdamOptimizer);
    expect(optimizer.getClassName()).toBe('Adam');
    expect(optimizer.getConfig()).toEqual(tf.train.adam(1e-3).getConfig());
    optimizer.dispose();
    // For a compiled step, tfjs's own Adam with the same config (its state has the same layout).
    const forGraph = createOptimizer('adam', 1e-3, { compiled: true });
    // (tfjs's optimizers answer instanceof by duck typing: compare constructors.)
    expect(forGraph.constructor).toBe(tf.AdamOptimizer);
    expect(optimizer.constructor).toBe(FlatAdamOptimizer);
    expect(forGraph.getConfig()).toEqual(tf.train.adam(1e-3).getConfig());
    forGraph.dispose();
  });

  it('updates weights and moments exactly as tf.train.adam, with a learning-rate change midway', async () => {
    const a = problem();
    const b = problem();
    const flat = new FlatAdamOptimizer(0.05, 0.9, 0.999);
    const reference = tf.train.adam(0.05);
    const setRate = (o: tf.Optimizer, rate: number) => {
      (o as unknown as { learningRate: number }).learningRate = rate;
    };
    const before = tf.memory().numTensors;
    for (let step = 0; step < 4; step++) {
      if (step === 2) setRate(flat, 0.01);
      flat.minimize(a.loss(step), false, a.vars);
    }
    // Two buffers for all moments (tfjs's Adam keeps two per variable), nothing else left behind.
    expect(tf.memory().numTensors - before).toBe(2);
    for (let step = 0; step < 4; step++) {
      if (step === 2) setRate(reference, 0.01);
      reference.minimize(b.loss(step), false, b.vars);
    }
    expect(values(a.vars)).toEqual(values(b.vars));
    expect(values(a.vars)[0]).not.toEqual(values(problem().vars)[0]);
    const flatSlots = await slotValues(flat);
    const referenceSlots = await slotValues(reference);
    expect(flatSlots).toEqual(referenceSlots);
    expect(flatSlots.map((s) => s.name)).toEqual([
      'iter',
      ...SHAPES.map((_, i) => `${i}/m`),
      ...SHAPES.map((_, i) => `${i}/v`),
    ]);
    tf.dispose([...a.vars, ...b.vars]);
    flat.dispose();
    reference.dispose();
  });

  it('state moves both ways between it and tf.train.adam (checkpoints), and training continues identically', async () => {
    const a = problem();
    const b = problem();
    const first = new FlatAdamOptimizer(0.05, 0.9, 0.999);
    const reference = tf.train.adam(0.05);
    for (let step = 0; step < 2; step++) {
      first.minimize(a.loss(step), false, a.vars);
      reference.minimize(b.loss(step), false, b.vars);
    }
    // flat -> tfjs and tfjs -> flat
    const restoredReference = tf.train.adam(0.05);
    await restoredReference.setWeights(await first.getWeights());
    const restoredFlat = new FlatAdamOptimizer(0.05, 0.9, 0.999);
    await restoredFlat.setWeights(await reference.getWeights());
    for (let step = 2; step < 4; step++) {
      restoredReference.minimize(a.loss(step), false, a.vars);
      restoredFlat.minimize(b.loss(step), false, b.vars);
    }
    expect(values(a.vars)).toEqual(values(b.vars));
    expect(await slotValues(restoredFlat)).toEqual(await slotValues(restoredReference));
    tf.dispose([...a.vars, ...b.vars]);
    for (const o of [first, reference, restoredReference, restoredFlat]) o.dispose();
  });

  it('falls back to per-variable updates, keeping its moments, when the variable list changes', async () => {
    const a = problem();
    const b = problem();
    const flat = new FlatAdamOptimizer(0.05, 0.9, 0.999);
    const reference = tf.train.adam(0.05);
    flat.minimize(a.loss(0), false, a.vars);
    reference.minimize(b.loss(0), false, b.vars);
    flat.minimize(a.loss(1), false, a.vars.slice(0, 2));
    reference.minimize(b.loss(1), false, b.vars.slice(0, 2));
    expect(values(a.vars)).toEqual(values(b.vars));
    tf.dispose([...a.vars, ...b.vars]);
    flat.dispose();
    reference.dispose();
  });
});
