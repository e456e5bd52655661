import * as tf from '@tensorflow/tfjs';
import { buildUnet } from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { enableFastPaths } from '../fast-paths.js';
import { createOptimizer } from '../optimizers.js';
import { nodeBackend, recordOps, type Trace } from './recorder.js';
import { shapeOracleSupport } from './shape-oracle.js';

const quiet = { log: () => {}, warn: () => {} };

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
});

/** Op names and output dtypes/shapes, the part of a trace a graph is built from. */
const summary = (trace: Trace) =>
  trace.ops.map((op) => [op.op, op.outputs.map((o) => [o.dtype, o.shape])]);

describe('recording without running (shape graphs, binding level 3)', () => {
  it('is available in the binding unet-setup-tensorflow builds', () => {
    expect(shapeOracleSupport(nodeBackend()!.binding)).toBe(true);
  });

  it("records a training step's ops with the shapes running it gives, computing nothing", () => {
    const model = buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3], dropout: 0.1, seed: 3 });
    model.compile({ loss: 'binaryCrossentropy', optimizer: createOptimizer('sgd', 0.1) });
    const train = (
      model as unknown as { makeTrainFunction(): (d: tf.Tensor[]) => tf.Scalar[] }
    ).makeTrainFunction();
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 2).round();
    const backend = nodeBackend()!;
    const before = model.getWeights().map((w) => w.clone());
    const tensors = tf.memory().numTensors;
    const step = (symbolic: boolean) => {
      const snapshot = model.getWeights().map((w) => w.clone());
      const trace = recordOps(
        backend,
        () => {
          tf.dispose(tf.tidy(() => train([x, y])));
          model.setWeights(snapshot); // stand-ins go while the recorder knows them
        },
        { symbolic },
      );
      tf.dispose(snapshot);
      return trace;
    };
    const symbolic = step(true);
    // Nothing ran: the weights are the same tensors' values, and no tensor was left behind.
    model.getWeights().forEach((w, i) => {
      expect(tf.tidy(() => w.sub(before[i]!).abs().max().dataSync()[0])).toBe(0);
    });
    expect(tf.memory().numTensors).toBe(tensors);
    const ran = step(false);
    expect(symbolic.problems).toEqual([]);
    expect(symbolic.unknownShapes).toEqual([]);
    expect(symbolic.ops.length).toBeGreaterThan(100);
    // oneDNN's pooling workspace (never read by JS) and batch norm's reserve space are the only
    // outputs whose shapes differ; everything else matches what running the step gave.
    const opaque = (name: string, i: number) =>
      (/MaxPool$/.test(name) && i === 1) || (/FusedBatchNorm/.test(name) && i >= 3);
    const strip = (t: Trace) =>
      summary(t).map(([name, outs]) => [
        name,
        (outs as unknown[]).map((o, i) => (opaque(name as string, i) ? 'opaque' : o)),
      ]);
    expect(strip(symbolic)).toEqual(strip(ran));
    tf.dispose([x, y, ...before]);
    model.dispose();
  });

  it('reports an output whose shape only running tells (tf.unique)', () => {
    const t = tf.tensor1d([3, 1, 3, 2], 'int32');
    const trace = recordOps(
      nodeBackend()!,
      () => {
        tf.dispose(tf.unique(t));
      },
      { symbolic: true },
    );
    expect(trace.unknownShapes[0]).toMatch(
      /output 0 of UniqueV2 has a shape known only when it runs/,
    );
    t.dispose();
  });
});
