import { describe, expect, it } from 'vitest';
import { castToBfloat16, castVariablesOnce } from './bfloat16.js';
import { DT, type NodeDef } from './proto.js';

const F = { type: DT.float };
const node = (name: string, op: string, inputs: string[], attrs: NodeDef['attrs'] = { T: F }) => ({
  name,
  op,
  inputs,
  attrs,
});

// A hand-built step: fused conv + bias + ReLU, batch norm, a float32 loss with a ReLU of its own
// (as tfjs's binary cross-entropy has), the filter gradient and an optimizer update.
const nodes: NodeDef[] = [
  node('x', 'Placeholder', [], { dtype: F }),
  node('w/read', 'ReadVariableOp', [], { dtype: F }),
  node('b/read', 'ReadVariableOp', [], { dtype: F }),
  node('gamma', 'ReadVariableOp', [], { dtype: F }),
  node('sizes', 'Const', [], { dtype: { type: DT.int32 } }),
  node('conv', '_FusedConv2D', ['x', 'w/read', 'b/read'], {
    T: F,
    strides: { ints: [1, 1, 1, 1] },
    padding: { s: 'SAME' },
    fused_ops: { strings: ['BiasAdd', 'Relu'] },
    num_args: { i: 1 },
  }),
  node('bn', 'FusedBatchNormV3', ['conv', 'gamma', 'gamma', 'gamma', 'gamma'], {
    T: F,
    U: F,
    is_training: { b: true },
  }),
  node('act', 'Relu', ['bn']),
  node('prob', 'Sigmoid', ['act']),
  node('logit', 'Log', ['prob']),
  node('lossRelu', 'Relu', ['logit']),
  node('loss', 'Mean', ['lossRelu', 'sizes']),
  node('dw', 'Conv2DBackpropFilter', ['x', 'sizes', 'prob']),
  node('step', 'Mul', ['dw', 'w/read']),
];
const dtypes = new Map<string, number>([
  ['x', DT.float],
  ['w/read', DT.float],
  ['b/read', DT.float],
  ['gamma', DT.float],
  ['sizes', DT.int32],
  ['conv', DT.float],
  ...[0, 1, 2, 3, 4, 5].map((i): [string, number] => [i ? `bn:${i}` : 'bn', DT.float]),
  ...['act', 'prob', 'logit', 'lossRelu', 'loss', 'dw', 'step'].map((n): [string, number] => [
    n,
    DT.float,
  ]),
]);

const { nodes: out, fetchNames } = castToBfloat16(nodes, dtypes, ['loss:0', 'act:0']);
const byName = new Map(out.map((n) => [n.name, n]));
const typeOf = (name: string) => {
  const t = byName.get(name)?.attrs.T;
  return t && 'type' in t ? t.type : undefined;
};
/** The op that produces input `i` of `name` (through its Cast, if any). */
const source = (name: string, i: number) => byName.get(byName.get(name)!.inputs[i]!)!;

describe('castToBfloat16', () => {
  it('splits _FusedConv2D into Conv2D, BiasAdd and the activation, all bfloat16, the last one keeping the name', () => {
    expect(byName.get('conv/conv')).toMatchObject({ op: 'Conv2D' });
    expect(byName.get('conv/bias_add')).toMatchObject({ op: 'BiasAdd' });
    expect(byName.get('conv')).toMatchObject({ op: 'Relu', inputs: ['conv/bias_add'] });
    for (const n of ['conv/conv', 'conv/bias_add', 'conv']) expect(typeOf(n)).toBe(DT.bfloat16);
    expect(byName.get('conv/conv')!.attrs.strides).toEqual({ ints: [1, 1, 1, 1] });
    expect(byName.get('conv/conv')!.attrs.fused_ops).toBeUndefined();
  });

  it('casts the float32 input and weights to bfloat16 once each', () => {
    expect(source('conv/conv', 0)).toMatchObject({
      op: 'Cast',
      inputs: ['x'],
      attrs: { DstT: { type: DT.bfloat16 } },
    });
    expect(source('conv/conv', 1)).toMatchObject({ op: 'Cast', inputs: ['w/read'] });
    expect(source('conv/bias_add', 1)).toMatchObject({ op: 'Cast', inputs: ['b/read'] });
    // dw reads x too: the same cast, not a second one.
    expect(byName.get('dw')!.inputs[0]).toBe(byName.get('conv/conv')!.inputs[0]);
  });

  it('batch norm takes bfloat16 data with float32 scale and statistics', () => {
    const bn = byName.get('bn')!;
    expect(bn.attrs.T).toEqual({ type: DT.bfloat16 });
    expect(bn.attrs.U).toEqual(F);
    expect(bn.inputs).toEqual(['conv', 'gamma', 'gamma', 'gamma', 'gamma']);
    expect(typeOf('act')).toBe(DT.bfloat16); // follows its bfloat16 input
  });

  it('keeps the loss float32, its own ReLU included, casting the activations back', () => {
    expect(typeOf('prob')).toBe(DT.float);
    expect(source('prob', 0)).toMatchObject({
      op: 'Cast',
      inputs: ['act'],
      attrs: { DstT: F },
    });
    expect(typeOf('lossRelu')).toBe(DT.float);
    expect(byName.get('lossRelu')!.inputs).toEqual(['logit']);
  });

  it('computes the weight gradient in bfloat16 and hands it to the optimizer as float32', () => {
    expect(typeOf('dw')).toBe(DT.bfloat16);
    expect(byName.get('dw')!.inputs[1]).toBe('sizes');
    expect(typeOf('step')).toBe(DT.float);
    expect(source('step', 0)).toMatchObject({ op: 'Cast', inputs: ['dw'] });
    expect(byName.get('step')!.inputs[1]).toBe('w/read');
  });

  it('fetches read float32: a bfloat16 output gets a cast', () => {
    expect(fetchNames[0]).toBe('loss:0');
    expect(byName.get(fetchNames[1]!.replace(/:0$/, ''))).toMatchObject({
      op: 'Cast',
      inputs: ['act'],
    });
  });

  it('every node comes after the nodes it reads', () => {
    const seen = new Set<string>();
    for (const n of out) {
      for (const input of n.inputs) expect(seen, `${n.name} reads ${input}`).toContain(input);
      seen.add(n.name);
    }
  });
});

describe('castToBfloat16 with a linear head (a loss on logits)', () => {
  // conv -> logits (the model's output) -> Relu and Mul of a sigmoid cross-entropy on logits.
  const head: NodeDef[] = [
    node('x', 'Placeholder', [], { dtype: F }),
    node('w/read', 'ReadVariableOp', [], { dtype: F }),
    node('y', 'Placeholder', [], { dtype: F }),
    node('logits', 'Conv2D', ['x', 'w/read']),
    node('lossRelu', 'Relu', ['logits']),
    node('lossMul', 'Mul', ['logits', 'y']),
  ];
  const types = new Map(
    ['x', 'w/read', 'y', 'logits', 'lossRelu', 'lossMul'].map((n): [string, number] => [
      n,
      DT.float,
    ]),
  );
  const typeIn = (nodes: NodeDef[], name: string) => {
    const t = nodes.find((n) => n.name === name)?.attrs.T;
    return t && 'type' in t ? t.type : undefined;
  };

  it('the loss reads the model output as float32', () => {
    const got = castToBfloat16(head, types, [], new Set(['logits'])).nodes;
    expect(typeIn(got, 'logits')).toBe(DT.bfloat16);
    for (const n of ['lossRelu', 'lossMul']) {
      expect(typeIn(got, n)).toBe(DT.float);
      const input = got.find((m) => m.name === n)!.inputs[0]!;
      expect(got.find((m) => m.name === input)).toMatchObject({ op: 'Cast', inputs: ['logits'] });
    }
  });

  it('without the output named, the loss would follow it into bfloat16', () => {
    const got = castToBfloat16(head, types, []).nodes;
    expect(typeIn(got, 'lossRelu')).toBe(DT.bfloat16);
  });
});

describe('castVariablesOnce (inference graphs)', () => {
  const shapes = new Map([
    ['w/read', [3, 3, 3, 16]],
    ['b/read', [16]],
  ]);
  const once = castVariablesOnce(out, shapes);
  const named = new Map(once.nodes.map((n) => [n.name, n]));
  const wCast = source('conv/conv', 1).name;
  const bCast = source('conv/bias_add', 1).name;

  it('reads each variable cast to bfloat16 from a bfloat16 variable the targets fill', () => {
    expect(named.get('conv/conv')!.inputs[1]).toBe(`${wCast}/once/read`);
    expect(named.get('conv/bias_add')!.inputs[1]).toBe(`${bCast}/once/read`);
    expect(named.get(`${wCast}/once`)).toMatchObject({
      op: 'VarHandleOp',
      attrs: { dtype: { type: DT.bfloat16 }, shape: { shape: [3, 3, 3, 16] } },
    });
    expect(named.get(`${wCast}/once/set`)).toMatchObject({
      op: 'AssignVariableOp',
      inputs: [`${wCast}/once`, wCast],
    });
    expect(once.targets.sort()).toEqual([`${bCast}/once/set`, `${wCast}/once/set`].sort());
  });

  it('leaves the casts of activations and the casts back to float32 as they were', () => {
    // x is fed each run; the weight gradient goes back to float32 (a Cast from bfloat16).
    expect(named.get('conv/conv')!.inputs[0]).toBe(byName.get('conv/conv')!.inputs[0]);
    expect(named.get('step')!.inputs[0]).toBe(byName.get('step')!.inputs[0]);
    expect(once.nodes.filter((n) => n.op === 'VarHandleOp')).toHaveLength(2);
  });
});
