import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { compileTrainStep, weightDifference } from '@unet/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { enableFastPaths } from '../fast-paths.js';
import { PARITY, parityAdam } from './parity-tolerance.js';

const quiet = { log: () => {}, warn: () => {} };
const SIZE = 32;
const BATCH = 2;

function batch(seed: number): [tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', seed);
    const y = tf
      .randomUniform([BATCH, SIZE, SIZE, 1], 0, 1, 'float32', seed + 1)
      .greater(0.5)
      .toFloat();
    return [x as tf.Tensor4D, y as tf.Tensor4D];
  });
}

/** A preset at 32 px without dropout (random masks would differ between eager and graph), compiled with parityAdam. */
function model(preset: 'dsb2018' | 'satellite' | 'paper'): tf.LayersModel {
  const m = buildUnet({ preset, inputShape: [SIZE, SIZE, 3], dropout: 0, seed: 11 });
  m.compile({ loss: 'binaryCrossentropy', optimizer: parityAdam() });
  return m;
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
});

describe.each(['dsb2018', 'satellite', 'paper'] as const)(
  'compileTrainStep on the %s preset',
  (preset) => {
    // symbolic: recorded without running, all 5 steps in the graph; run: the first step eager
    // (optimizer state), the second recorded as it runs, 4 in the graph.
    it.each([
      ['symbolic', 5],
      ['run', 4],
    ] as const)(
      'gives eager losses and weights over 5 steps (fp32, recording: %s)',
      async (recording, graphSteps) => {
        const eager = model(preset);
        const compiled = model(preset);
        compiled.setWeights(eager.getWeights());
        const initial = eager.getWeights().map((w) => w.clone());
        const lines: string[] = [];
        const step = compileTrainStep(compiled, { log: (l) => lines.push(l), recording });
        for (let s = 0; s < 5; s++) {
          const [x, y] = batch(s);
          const want = tf.tidy(
            () =>
              (eager as unknown as { makeTrainFunction(): (d: tf.Tensor[]) => tf.Scalar[] })
                .makeTrainFunction()([x, y])[0]!
                .dataSync()[0]!,
          );
          const got = step.trainOnBatch(x, y)[0]!;
          expect(relative(got, want)).toBeLessThan(PARITY.loss);
          tf.dispose([x, y]);
          // A paper step blocks for seconds: let vitest's worker answer its runner in between.
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(step.fallbackReason).toBeNull();
        expect(step.compiledSteps).toBe(graphSteps);
        step.sync();
        // Apart by a small share of the distance eager training moved them (see PARITY).
        const apart = weightDifference(compiled.getWeights(), eager.getWeights(), initial).relative;
        expect(apart).toBeLessThan(PARITY.apart);
        tf.dispose(initial);
        step.dispose();
        eager.dispose();
        compiled.dispose();
      },
    );
  },
);

describe('compileTrainStep sync', () => {
  it('keeps what tfjs wrote to every variable since the last step, fetching nothing', () => {
    const m = model('satellite');
    const [x, y] = batch(7);
    const step = compileTrainStep(m, { log: () => {} });
    step.trainOnBatch(x, y);
    step.trainOnBatch(x, y);
    expect(step.compiledSteps).toBeGreaterThan(0);
    // tfjs writes every variable the step holds (optimizer state included), as a resume that
    // restores all of them would: sync has nothing to fetch and must keep tfjs's values.
    const engine = tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> };
    for (const v of Object.values(engine.registeredVariables)) {
      const copy = tf.tidy(() => v.add(0));
      v.assign(copy);
      copy.dispose();
    }
    const wanted = m.getWeights().map((w) => tf.tidy(() => w.add(1)));
    m.setWeights(wanted);
    step.sync();
    expect(weightDifference(m.getWeights(), wanted).max).toBe(0);
    step.dispose();
    tf.dispose([x, y, ...wanted]);
    m.dispose();
  });
});
