import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import {
  bceDiceLoss,
  diceCoefficient,
  iouScore,
  precision,
  recall,
  sparseCategoricalCrossentropy,
} from '@unet/losses';
import {
  compilePredict,
  compileTrainStep,
  cpuHasNativeBfloat16,
  weightDifference,
} from '@unet/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { enableFastPaths } from '../fast-paths.js';
import { createOptimizer } from '../optimizers.js';
import { PARITY, parityAdam } from './parity-tolerance.js';
import { nodeBackend } from './recorder.js';

const quiet = { log: () => {}, warn: () => {} };
const NATIVE_BF16 = cpuHasNativeBfloat16();
const SIZE = 32;

type TrainFn = (data: tf.Tensor[]) => tf.Scalar[];
const eagerStep = (m: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(
    () =>
      (m as unknown as { makeTrainFunction(): TrainFn })
        .makeTrainFunction()([x, y])[0]!
        .dataSync()[0]!,
  );

function data(seed: number, batch = 2): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => [
    tf.randomUniform([batch, SIZE, SIZE, 3], 0, 1, 'float32', seed),
    tf
      .randomUniform([batch, SIZE, SIZE, 1], 0, 1, 'float32', seed + 1)
      .greater(0.5)
      .toFloat(),
  ]);
}

function unet(dropout = 0): tf.LayersModel {
  const m = buildUnet({ preset: 'dsb2018', inputShape: [SIZE, SIZE, 3], dropout, seed: 11 });
  m.compile({ loss: 'binaryCrossentropy', optimizer: parityAdam() });
  return m;
}

function pair(): [tf.LayersModel, tf.LayersModel] {
  const eager = unet();
  const compiled = unet();
  compiled.setWeights(eager.getWeights());
  return [eager, compiled];
}

/**
 * Compiled and eager weights after training from `initial`: apart by a small share of the
 * distance eager training moved them (PARITY.apart; see weightDifference).
 */
function expectSameWeights(a: tf.Tensor[], b: tf.Tensor[], initial: tf.Tensor[]): void {
  const { relative } = weightDifference(a, b, initial);
  expect(relative).toBeLessThan(PARITY.apart);
}

/** Whether tfjs-node holds no data for `t` (released; looked up without fetching it back). */
function holdsNothing(t: tf.Tensor): boolean {
  const store = nodeBackend()!.tensorMap as unknown as { data: WeakMap<object, TensorData> };
  const data = store.data.get(t.dataId);
  return data !== undefined && data.id === -1 && data.values === null;
}
type TensorData = { id: number; values: unknown };

function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  return tf.tidy(() => Math.max(...a.map((t, i) => t.sub(b[i]!).abs().max().dataSync()[0]!)));
}

/**
 * Twins from `build` (the compiled one with the eager one's weights) take 4 steps on `batch(s)`:
 * every output (loss, metrics) within PARITY.loss of eager's, the weights too after sync. Returns the
 * step's fallback reason and compiled step count.
 */
function expectEagerParity(
  build: () => tf.LayersModel,
  batch: (s: number) => [tf.Tensor, tf.Tensor],
): { fallbackReason: string | null; compiledSteps: number } {
  const eager = build();
  const compiled = build();
  compiled.setWeights(eager.getWeights());
  const initial = eager.getWeights().map((w) => w.clone());
  const step = compileTrainStep(compiled, quiet);
  const train = (eager as unknown as { makeTrainFunction(): TrainFn }).makeTrainFunction();
  for (let s = 0; s < 4; s++) {
    const [x, y] = batch(s);
    const want = tf.tidy(() => train([x, y]).map((t) => t.dataSync()[0]!));
    const got = step.trainOnBatch(x, y);
    expect(got).toHaveLength(want.length);
    got.forEach((v, i) => {
      expect(Math.abs(v - want[i]!)).toBeLessThan(PARITY.loss * Math.max(1, Math.abs(want[i]!)));
    });
    tf.dispose([x, y]);
  }
  step.sync();
  expectSameWeights(compiled.getWeights(), eager.getWeights(), initial);
  tf.dispose(initial);
  const { fallbackReason, compiledSteps } = step;
  step.dispose();
  eager.dispose();
  compiled.dispose();
  return { fallbackReason, compiledSteps };
}

/** A layer that reads a value into JS during the step: the graph cannot replay that decision. */
class ReadsInJs extends tf.layers.Layer {
  static className = 'ReadsInJs';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return x.mean().dataSync()[0]! > 1e9 ? x.neg() : x.mul(1);
  }
}

function small(extra: (t: tf.SymbolicTensor) => tf.SymbolicTensor): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' });
  const head = tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' });
  const out = head.apply(extra(conv.apply(input) as tf.SymbolicTensor)) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  m.compile({ loss: 'binaryCrossentropy', optimizer: parityAdam() });
  return m;
}

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
});

describe('compileTrainStep', () => {
  it('feeds the learning rate: a change reaches the graph like it reaches eager Adam', () => {
    const [eager, compiled] = pair();
    const initial = eager.getWeights().map((w) => w.clone());
    const step = compileTrainStep(compiled, quiet);
    for (let s = 0; s < 5; s++) {
      if (s === 3) {
        (eager.optimizer as unknown as { learningRate: number }).learningRate = 1e-2;
        (compiled.optimizer as unknown as { learningRate: number }).learningRate = 1e-2;
      }
      const [x, y] = data(s);
      const want = eagerStep(eager, x, y);
      expect(Math.abs(step.trainOnBatch(x, y)[0]! - want) / want).toBeLessThan(PARITY.loss);
      tf.dispose([x, y]);
    }
    step.sync();
    expectSameWeights(compiled.getWeights(), eager.getWeights(), initial);
    tf.dispose(initial);
    step.dispose();
    eager.dispose();
    compiled.dispose();
  });

  it("gives eager's loss and metrics with the apps' loss and metrics (bceDiceLoss, dice, IoU, precision, recall)", () => {
    const build = () => {
      const m = small((t) => t);
      m.compile({
        loss: bceDiceLoss,
        optimizer: parityAdam(),
        metrics: [diceCoefficient, iouScore, precision, recall],
      });
      return m;
    };
    const run = expectEagerParity(build, (s) => data(s));
    expect(run.fallbackReason).toBeNull();
    expect(run.compiledSteps).toBe(4);
  });

  it.each([
    [false, null],
    [true, /read by JS during the step/],
  ] as const)(
    "a many-class model (sparse cross-entropy, void ignored, class weights; checkLabels %s) gives eager's loss",
    (checkLabels, fallback) => {
      // Four classes and void (4): the multi-class apps' loss. Its label check reads a count back
      // to JS, so only checkLabels: false (what the apps pass) keeps the step in the graph.
      const loss = (t: tf.Tensor, p: tf.Tensor) =>
        sparseCategoricalCrossentropy(t, p, {
          ignoreIndex: 4,
          classWeights: [0.5, 2, 1, 3],
          checkLabels,
        });
      const build = () => {
        const input = tf.input({ shape: [SIZE, SIZE, 3] });
        const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' });
        const head = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'softmax' });
        const m = tf.model({
          inputs: input,
          outputs: head.apply(conv.apply(input)) as tf.SymbolicTensor,
        });
        m.compile({ loss, optimizer: parityAdam() });
        return m;
      };
      const run = expectEagerParity(build, (s) =>
        tf.tidy(() => [
          tf.randomUniform([2, SIZE, SIZE, 3], 0, 1, 'float32', s),
          tf.randomUniform([2, SIZE, SIZE, 1], 0, 5, 'int32', s + 1).toFloat(),
        ]),
      );
      if (fallback) expect(run.fallbackReason).toMatch(fallback);
      else expect(run.fallbackReason).toBeNull();
    },
  );

  it('keeps weights in the session until sync writes them back (a read before fetches them), and picks up setWeights', async () => {
    const [eager, compiled] = pair();
    const step = compileTrainStep(compiled, quiet);
    const [x, y] = data(7);
    // Copies, not clones: a clone shares the variable's data, which then stays in tfjs.
    const copies = () => compiled.getWeights().map((w) => w.mul(1));
    const initial = copies();
    step.trainOnBatch(x, y); // recorded without running (optimizer state made first), then run
    // The optimizer's state exists; tfjs's copies of what the step updates are released.
    const state = await compiled.optimizer.getWeights();
    expect(state).toHaveLength(1 + 2 * compiled.trainableWeights.length);
    expect(compiled.trainableWeights.every((w) => holdsNothing(w.read()))).toBe(true);
    // A read before sync fetches the session's weights; sync then writes the same ones.
    const unsynced = copies();
    expect(maxDiff(unsynced, initial)).toBeGreaterThan(1e-6);
    step.sync();
    const afterFirst = copies();
    expect(maxDiff(afterFirst, unsynced)).toBe(0);
    step.trainOnBatch(x, y);
    step.trainOnBatch(x, y);
    expect(step.compiledSteps).toBe(3);
    step.sync();
    expect(maxDiff(compiled.getWeights(), afterFirst)).toBeGreaterThan(1e-6);
    // Adam's step count (saved in checkpoints) counts the compiled steps once synced.
    expect(compiled.optimizer.iterations).toBe(3);
    // A write in tfjs between steps (restoring weights) reaches the session at the next step.
    compiled.setWeights(afterFirst);
    for (let s = 0; s < 3; s++) eagerStep(eager, x, y);
    step.trainOnBatch(x, y);
    step.trainOnBatch(x, y);
    step.sync();
    const diff = maxDiff(compiled.getWeights(), eager.getWeights());
    // Adam's moments kept their two compiled updates, so the weights differ a little from eager.
    expect(diff).toBeLessThan(1e-2);
    // A write while the session holds newer, unsynced weights: sync keeps what tfjs wrote.
    step.trainOnBatch(x, y);
    compiled.setWeights(afterFirst);
    step.sync();
    expect(maxDiff(compiled.getWeights(), afterFirst)).toBe(0);
    tf.dispose([x, y, ...afterFirst, ...initial, ...unsynced]);
    step.dispose();
    eager.dispose();
    compiled.dispose();
  });

  it('leaks no tensors across many steps and syncs; runs dropout in the graph', () => {
    const model = unet(0.2);
    const step = compileTrainStep(model, quiet);
    const [x, y] = data(3);
    step.trainOnBatch(x, y);
    step.trainOnBatch(x, y);
    step.sync();
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let s = 0; s < 20; s++) {
      losses.push(step.trainOnBatch(x, y)[0]!);
      if (s % 5 === 4) step.sync();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(step.fallbackReason).toBeNull();
    // Each mask is drawn from 16 random bits per value (dropout-masks.ts), none from a float draw.
    const ops = (step as unknown as { graph: { nodes: { op: string }[] } }).graph.nodes.map(
      (n) => n.op,
    );
    expect(ops.filter((op) => op === 'RandomUniformInt').length).toBeGreaterThan(0);
    expect(ops).not.toContain('RandomUniform');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    step.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('trains eagerly for a batch of another shape (a short last batch)', () => {
    const model = unet();
    const step = compileTrainStep(model, quiet);
    const [x, y] = data(4);
    const [x1, y1] = data(5, 1);
    // The graph takes the first batch's shape even when a short batch comes second.
    for (const [a, b] of [
      [x, y],
      [x1, y1],
      [x, y],
      [x, y],
      [x1, y1],
      [x, y],
    ] as const) {
      step.trainOnBatch(a, b);
    }
    expect([step.compiledSteps, step.eagerSteps]).toEqual([4, 2]);
    step.dispose();
    tf.dispose([x, y, x1, y1]);
    model.dispose();
  });

  it.each([
    ['a value read into JS mid-step', () => new ReadsInJs({}), /read by JS during the step/],
    [
      "tfjs's own dropout (mask drawn in JS)",
      () => tf.layers.dropout({ rate: 0.5 }),
      /dropout draws its random mask in JS/,
    ],
  ])('falls back to eager with one log line for %s', (_, layer, why) => {
    const model = small((t) => layer().apply(t) as tf.SymbolicTensor);
    const lines: string[] = [];
    const step = compileTrainStep(model, { log: (l) => lines.push(l) });
    const [x, y] = data(1);
    const losses = [0, 1, 2, 3].map(() => step.trainOnBatch(x, y)[0]!);
    expect(step.fallbackReason).toMatch(why);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/compiled step off, training eagerly/);
    expect(step.compiledSteps).toBe(0);
    expect(losses.every(Number.isFinite)).toBe(true);
    step.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('bf16: bfloat16 compute where the CPU has it (the loss over 5 steps within 2% of fp32), fp32 elsewhere', () => {
    const [a, b] = pair();
    const fp32 = compileTrainStep(a, quiet);
    const lines: string[] = [];
    const bf16 = compileTrainStep(b, { log: (m) => lines.push(m), precision: 'bf16' });
    const apart: number[] = [];
    for (let s = 0; s < 5; s++) {
      const [x, y] = data(s);
      const want = fp32.trainOnBatch(x, y)[0]!;
      apart.push(Math.abs(bf16.trainOnBatch(x, y)[0]! - want) / want);
      tf.dispose([x, y]);
    }
    expect(bf16.fallbackReason).toBeNull();
    expect(Math.max(...apart)).toBeLessThan(0.02);
    if (NATIVE_BF16) {
      expect(lines.join('\n')).toMatch(/in one graph \(bf16\)/);
      // bfloat16 rounds: a graph that silently stayed float32 would match fp32 to the bit.
      expect(Math.max(...apart)).toBeGreaterThan(1e-5);
    } else {
      expect(lines.join('\n')).toMatch(/no native bfloat16 .*compiling fp32/);
      expect(Math.max(...apart)).toBeLessThan(1e-6);
    }
    for (const o of [fp32, bf16, a, b]) o.dispose();
  });
  it('bf16 hands the model output to the loss as float32 (a linear head under mean squared error)', () => {
    const input = tf.input({ shape: [SIZE, SIZE, 3] });
    const conv = tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same' });
    const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
    model.compile({ optimizer: createOptimizer('adam', 1e-3), loss: 'meanSquaredError' });
    const step = compileTrainStep(model, { ...quiet, precision: 'bf16' });
    const [x, y] = data(7);
    for (let s = 0; s < 3; s++) step.trainOnBatch(x, y);
    // White-box: the graph's nodes (op, attrs.T) are what this is about.
    type Node = { op: string; inputs: string[]; attrs: { T?: { type: number } } };
    const nodes = (step as unknown as { graph: { nodes: Node[] } }).graph.nodes;
    const sub = nodes.find((n) => n.op === 'Sub' && n.inputs.includes('y'))!;
    expect(sub.attrs.T?.type).toBe(1); // float32
    const bf16 = nodes.filter((n) => n.attrs.T?.type === 14).map((n) => n.op);
    if (NATIVE_BF16) {
      expect(bf16).toContain('Conv2D');
      expect(sub.inputs[0]).toMatch(/\/to_f32$/);
    } else expect(bf16).toEqual([]);
    step.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('compilePredict', () => {
  it.each(['symbolic', 'run'] as const)(
    'gives the eager output (batch norm in inference mode) and leaks nothing (recording: %s)',
    (recording) => {
      const model = unet();
      const [x] = data(2);
      const want = model.predict(x) as tf.Tensor;
      const predict = compilePredict(model, { ...quiet, recording });
      predict.predict(x).dispose();
      const before = tf.memory().numTensors;
      const got = predict.predict(x);
      expect(predict.fallbackReason).toBeNull();
      expect(maxDiff([got], [want])).toBeLessThan(1e-4);
      got.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, want]);
      predict.dispose();
      model.dispose();
    },
  );

  it.each(['fp32', 'bf16'] as const)(
    'predicts with the weights tfjs changed since the last call (%s)',
    (precision) => {
      const model = unet();
      const [x] = data(2);
      const predict = compilePredict(model, { ...quiet, precision });
      const before = predict.predict(x);
      // The output layer's bias up by 2: the sigmoid outputs move, the largest by far more than 0.1.
      const head = model.layers.at(-1)!;
      const [kernel, bias] = head.getWeights();
      const raised = bias!.add(2);
      head.setWeights([kernel!, raised]);
      const want = model.predict(x) as tf.Tensor;
      const got = predict.predict(x);
      const tolerance = precision === 'bf16' && NATIVE_BF16 ? 2e-2 : 1e-4;
      expect(maxDiff([before], [want])).toBeGreaterThan(0.1);
      expect(maxDiff([got], [want])).toBeLessThan(tolerance);
      tf.dispose([x, before, want, got, raised]);
      predict.dispose();
      model.dispose();
    },
  );

  it('predicts with the weights of compiled training once synced', () => {
    const model = unet();
    const [x, y] = data(4);
    const predict = compilePredict(model, quiet);
    const before = predict.predict(x);
    const step = compileTrainStep(model, quiet);
    for (let s = 0; s < 3; s++) step.trainOnBatch(x, y);
    step.sync();
    const want = model.predict(x) as tf.Tensor;
    const got = predict.predict(x);
    expect(maxDiff([before], [want])).toBeGreaterThan(1e-3);
    expect(maxDiff([got], [want])).toBeLessThan(1e-4);
    tf.dispose([x, y, before, want, got]);
    step.dispose();
    predict.dispose();
    model.dispose();
  });

  it('bf16 stays within bfloat16 rounding of the eager output (fp32 without native bfloat16)', () => {
    const model = unet();
    const [x] = data(2);
    const want = model.predict(x) as tf.Tensor;
    const predict = compilePredict(model, { ...quiet, precision: 'bf16' });
    const got = predict.predict(x);
    expect(predict.fallbackReason).toBeNull();
    const diff = maxDiff([got], [want]);
    if (NATIVE_BF16) {
      expect(diff).toBeGreaterThan(1e-6);
      expect(diff).toBeLessThan(2e-2);
    } else expect(diff).toBeLessThan(1e-4);
    tf.dispose([x, want, got]);
    predict.dispose();
    model.dispose();
  });
});
