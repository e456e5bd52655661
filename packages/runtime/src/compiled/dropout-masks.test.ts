// Dropout masks from 16 random bits per value: the rewritten graph draws exactly the masks
// TensorFlow's own ops give for the same construction (reference/dropout_masks.py), keeps the
// requested fraction, and leaves random draws that are no dropout mask alone.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { bitsThreshold, dropoutMasksFromBits } from './dropout-masks.js';
import { constNode, DT, type NodeDef } from './proto.js';
import { type NodeBackend, nodeBackend } from './recorder.js';
import { GraphSession } from './session.js';

interface ReferenceCase {
  shape: number[];
  keep: number;
  seed: number;
  seed2: number;
  mask: number[];
}
const reference = JSON.parse(
  readFileSync(new URL('../../reference/dropout-masks.json', import.meta.url), 'utf8'),
) as { cases: ReferenceCase[] };

const quiet = { log: () => {}, warn: () => {} };
let backend: NodeBackend;
let session: GraphSession | undefined;

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  backend = nodeBackend()!;
});
afterEach(() => session?.dispose());

const bytes = (array: Int32Array | Float32Array) => new Uint8Array(array.buffer);
/** What a recorded dropout looks like: `mask = float(RandomUniform(shape) < keep)`. */
function dropoutGraph(shape: number[], keep: number, seed: number, seed2: number): NodeDef[] {
  return [
    constNode('shape', {
      dtype: DT.int32,
      shape: [shape.length],
      content: bytes(Int32Array.from(shape)),
    }),
    {
      name: 'noise',
      op: 'RandomUniform',
      inputs: ['shape'],
      attrs: {
        seed: { i: seed },
        seed2: { i: seed2 },
        dtype: { type: DT.float },
        T: { type: DT.int32 },
      },
    },
    constNode('keep', { dtype: DT.float, shape: [], content: bytes(Float32Array.of(keep)) }),
    { name: 'kept', op: 'Less', inputs: ['noise', 'keep'], attrs: { T: { type: DT.float } } },
    {
      name: 'mask',
      op: 'Cast',
      inputs: ['kept'],
      attrs: { SrcT: { type: DT.bool }, DstT: { type: DT.float } },
    },
  ];
}

function drawMasks(nodes: NodeDef[], runs: number): number[][] {
  session = new GraphSession(backend.binding, nodes, {});
  const masks: number[][] = [];
  for (let r = 0; r < runs; r++) masks.push(Array.from(session.run([], ['mask:0'])[0]!.data));
  session.dispose();
  return masks;
}

describe('dropout masks from 16 random bits per value', () => {
  it('draws the masks TensorFlow gives for the same ops and seeds, odd sizes included', () => {
    for (const c of reference.cases) {
      const nodes = dropoutMasksFromBits(dropoutGraph(c.shape, c.keep, c.seed, c.seed2));
      expect(nodes.map((n) => n.op)).toContain('RandomUniformInt');
      expect(nodes.map((n) => n.op)).not.toContain('RandomUniform');
      expect(drawMasks(nodes, 1)[0]).toEqual(c.mask);
    }
  });

  it('keeps the requested fraction, a new mask per run, the same masks for the same seeds', () => {
    const nodes = dropoutMasksFromBits(dropoutGraph([1000, 1000], 0.8, 5, 9));
    const [first, second] = drawMasks(nodes, 2);
    const [again] = drawMasks(nodes, 1);
    // Binomial: the kept fraction of 10^6 values has a standard deviation of 4e-4 at keep 0.8.
    for (const mask of [first!, second!]) {
      const kept = mask.reduce((a, b) => a + b, 0) / mask.length;
      expect(Math.abs(kept - 0.8)).toBeLessThan(2.5e-3);
    }
    const same = first!.filter((v, k) => v === second![k]).length / first!.length;
    expect(same).toBeLessThan(0.7); // independent masks agree on 0.8^2 + 0.2^2 = 68% of values
    expect(again).toEqual(first);
  });

  it('leaves draws alone that are no dropout mask', () => {
    const graph = dropoutGraph([4, 4], 0.5, 1, 2);
    const alsoRead = [
      ...graph,
      { name: 'twice', op: 'AddV2', inputs: ['noise', 'noise'], attrs: { T: { type: DT.float } } },
    ];
    expect(dropoutMasksFromBits(alsoRead)).toEqual(alsoRead);
    const greater = graph.map((n) => (n.name === 'kept' ? { ...n, op: 'Greater' } : n));
    expect(dropoutMasksFromBits(greater)).toEqual(greater);
    const tooFine = dropoutGraph([4, 4], 1 - 1e-6, 1, 2);
    expect(dropoutMasksFromBits(tooFine)).toEqual(tooFine);
  });

  it('thresholds keep probabilities to the nearest 1/65536, refusing 0 and 1', () => {
    expect(bitsThreshold(0.9)).toBe(58982);
    expect(bitsThreshold(0.5)).toBe(32768);
    expect(bitsThreshold(0.7)).toBe(45875);
    expect(bitsThreshold(1)).toBeNull();
    expect(bitsThreshold(1e-6)).toBeNull();
  });
});
