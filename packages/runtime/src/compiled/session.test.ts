// Graph sessions feed from tfjs tensors and fetch into new ones without copies (binding level 4):
// checked on a hand-built graph whose results are known, including that neither side sees the
// other's later writes (tfjs tensors are immutable; the session's variables are not).
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { DT, type NodeDef } from './proto.js';
import { type NodeBackend, nodeBackend, tensorId } from './recorder.js';
import { type Fetched, GraphSession } from './session.js';
import { feedOf } from './session-feeds.js';

const F = { type: DT.float };
const quiet = { log: () => {}, warn: () => {} };

// y = x + x; a variable v set from `init`, read as `v/read`, and `v/add` adds `delta` to it in
// place (AssignAddVariableOp updates the buffer it holds when nothing else shares it).
const nodes: NodeDef[] = [
  { name: 'x', op: 'Placeholder', inputs: [], attrs: { dtype: F } },
  { name: 'y', op: 'AddV2', inputs: ['x', 'x'], attrs: { T: F } },
  {
    name: 'v',
    op: 'VarHandleOp',
    inputs: [],
    attrs: { dtype: F, shape: { shape: [4] }, shared_name: { s: 'v' }, container: { s: '' } },
  },
  { name: 'init', op: 'Placeholder', inputs: [], attrs: { dtype: F, shape: { shape: [4] } } },
  { name: 'v/init', op: 'AssignVariableOp', inputs: ['v', 'init'], attrs: { dtype: F } },
  { name: 'v/read', op: 'ReadVariableOp', inputs: ['v'], attrs: { dtype: F } },
  { name: 'delta', op: 'Placeholder', inputs: [], attrs: { dtype: F, shape: { shape: [4] } } },
  { name: 'v/add', op: 'AssignAddVariableOp', inputs: ['v', 'delta'], attrs: { dtype: F } },
];

let backend: NodeBackend;
let session: GraphSession;
/** Tensors the binding holds: a fetch that is never made a tfjs tensor would show here. */
const bindingTensors = () =>
  (backend.binding as unknown as { getNumOfTensors(): number }).getNumOfTensors();

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  backend = nodeBackend()!;
});

afterEach(() => session?.dispose());

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('GraphSession feeds and fetches as tfjs tensors (binding level 4)', () => {
  it('feeds a tfjs tensor by its id and fetches a new tfjs tensor, leaking neither', () => {
    session = new GraphSession(backend.binding, nodes, {});
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const feed = feedOf('x', x);
    expect(typeof feed.data).toBe('number'); // the tensor itself, not a copy of its values
    const tensors = tf.memory().numTensors;
    const held = bindingTensors();
    const [meta] = session.runToTensors([feed], ['y:0']);
    const y = backend.createOutputTensor(meta!);
    expect(y.shape).toEqual([2, 2]);
    expect(y.dtype).toBe('float32');
    expect(values(y)).toEqual([2, 4, 6, 8]);
    expect(values(x)).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(bindingTensors()).toBe(held);
    x.dispose();
  });

  it("feeds a tensor's buffer under the feed's shape, and still takes typed arrays", () => {
    session = new GraphSession(backend.binding, nodes, {});
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const flat = { name: 'x', dtype: DT.float, shape: [4], data: tensorId(backend, x) };
    expect(session.run([flat], ['y:0'])[0]!.shape).toEqual([4]);
    const copied = { name: 'x', dtype: DT.float, shape: [2], data: new Float32Array([5, 6]) };
    expect(Array.from(session.run([copied], ['y:0'])[0]!.data)).toEqual([10, 12]);
    x.dispose();
  });

  it('a variable set from a tfjs tensor and updated in place leaves that tensor alone', () => {
    session = new GraphSession(backend.binding, nodes, {});
    const start = tf.tensor1d([1, 2, 3, 4]);
    session.run([feedOf('init', start)], [], ['v/init']);
    const delta = {
      name: 'delta',
      dtype: DT.float,
      shape: [4],
      data: new Float32Array(4).fill(10),
    };
    session.run([delta], [], ['v/add']);
    expect(values(start)).toEqual([1, 2, 3, 4]);
    // A fetched read keeps its value when the session updates the variable after it.
    const before = backend.createOutputTensor(session.runToTensors([], ['v/read:0'])[0]!);
    session.run([delta], [], ['v/add']);
    const after = backend.createOutputTensor(session.runToTensors([], ['v/read:0'])[0]!);
    expect(values(before)).toEqual([11, 12, 13, 14]);
    expect(values(after)).toEqual([21, 22, 23, 24]);
    tf.dispose([start, before, after]);
  });

  it('names the feed whose tensor is gone or does not fit', () => {
    session = new GraphSession(backend.binding, nodes, {});
    const x = tf.tensor1d([1, 2, 3]);
    const id = tensorId(backend, x);
    const feed = (shape: number[], dtype: number = DT.float) => ({
      name: 'x',
      dtype,
      shape,
      data: id,
    });
    expect(() => session.run([feed([4])], ['y:0'])).toThrow(/feed x has the wrong size or dtype/);
    expect(() => session.run([feed([3], DT.int32)], ['y:0'])).toThrow(/feed x has the wrong/);
    expect(() => session.run([feed([-1, -3])], ['y:0'])).toThrow(/feed x has a negative dimension/);
    x.dispose();
    expect(() => session.run([feed([3])], ['y:0'])).toThrow(
      new RegExp(`feed x: no tfjs tensor ${id}`),
    );
  });

  it('answers a level-2 call (seven arguments) with copies, as before level 4', () => {
    session = new GraphSession(backend.binding, nodes, {});
    const id = (session as unknown as { id: number }).id;
    const [out] = backend.binding.graphSessionRun!(
      id,
      ['x'],
      [DT.float],
      [[2]],
      [new Float32Array([1, 2])],
      ['y:0'],
      [],
    ) as Fetched[];
    expect(Array.from(out!.data)).toEqual([2, 4]);
  });
});
