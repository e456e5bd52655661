// A first graph run that fails, injected: the compiled step has released tfjs's copies of the
// weights and optimizer state by then, and eager training must go on from the state before it.
import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { enableFastPaths } from '../fast-paths.js';
import { createOptimizer } from '../optimizers.js';
import { GraphSession } from './session.js';
import { compileTrainStep } from './train-step.js';

const quiet = { log: () => {}, warn: () => {} };
const run = GraphSession.prototype.run;

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
});

afterEach(() => {
  GraphSession.prototype.run = run;
});

function unet(): tf.LayersModel {
  const m = buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3], dropout: 0, seed: 5 });
  m.compile({ loss: 'binaryCrossentropy', optimizer: createOptimizer('adam', 1e-3) });
  return m;
}

it('a first graph run that fails leaves tfjs the state from before it, and training goes on eagerly', () => {
  GraphSession.prototype.run = function (feeds, fetches, targets = []) {
    if (targets.includes('train_step')) throw new Error('injected: this graph cannot run');
    return run.call(this, feeds, fetches, targets);
  };
  const eager = unet();
  const compiled = unet();
  compiled.setWeights(eager.getWeights());
  const [x, y] = tf.tidy(() => [
    tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1),
    tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 2).greater(0.5).toFloat(),
  ]);
  const lines: string[] = [];
  const step = compileTrainStep(compiled, { log: (l) => lines.push(l) });
  const train = (
    eager as unknown as { makeTrainFunction(): (d: tf.Tensor[]) => tf.Scalar[] }
  ).makeTrainFunction();
  for (let s = 0; s < 2; s++) {
    const got = step.trainOnBatch(x, y)[0]!;
    const want = tf.tidy(() => train([x, y])[0]!.dataSync()[0]!);
    expect(Math.abs(got - want)).toBeLessThan(1e-5 * Math.abs(want));
  }
  expect(step.fallbackReason).toMatch(/injected/);
  expect([step.compiledSteps, step.eagerSteps]).toEqual([0, 2]);
  expect(lines.filter((l) => l.includes('training eagerly'))).toHaveLength(1);
  const diff = tf.tidy(() =>
    Math.max(
      ...compiled
        .getWeights()
        .map((w, i) => w.sub(eager.getWeights()[i]!).abs().max().dataSync()[0]!),
    ),
  );
  expect(diff).toBeLessThan(1e-5);
  step.dispose();
  tf.dispose([x, y]);
  eager.dispose();
  compiled.dispose();
});
