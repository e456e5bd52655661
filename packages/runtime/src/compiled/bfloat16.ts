// bfloat16 compute by hand: the graph's convolutions, pooling, activations and batch norm, and
// the element-wise ops between them, run in bfloat16 forward and backward; variables, the loss,
// weight gradients and the optimizer update stay float32 (Keras's mixed_bfloat16 split).
// Grappler's oneDNN auto-mixed-precision rewrite does not know `_FusedConv2D`, which is most of
// our graph, so it converted little and measured slower than fp32.
import type { Attr, NodeDef } from './proto.js';
import { DT, plainInput as plain } from './proto.js';

/**
 * Ops that always compute in bfloat16 (they only ever see activations). `tInputs`/`tOutputs`
 * list the ones of type T where the others stay float32 (batch norm's scale, offset and
 * statistics); absent, every float input and output is T.
 */
const ALWAYS: Record<string, { tInputs?: number[]; tOutputs?: number[] }> = {
  Conv2D: {},
  Conv2DBackpropInput: {},
  Conv2DBackpropFilter: {},
  MaxPool: {},
  MaxPoolGrad: {},
  FusedBatchNorm: { tInputs: [0], tOutputs: [0] },
  FusedBatchNormV3: { tInputs: [0], tOutputs: [0] },
  FusedBatchNormGradV3: { tInputs: [0, 1], tOutputs: [0] },
};

/** Weight gradients: computed in bfloat16, handed to the optimizer as float32. */
const TO_FLOAT_AFTER = new Set(['Conv2DBackpropFilter', 'BiasAddGrad']);

/**
 * Ops that follow their inputs: bfloat16 when a float input is (activations between two
 * convolutions: skip concatenation, dropout, the transposed convolution's bias, gradient sums).
 * Reductions are absent on purpose: they sum in float32.
 */
const FOLLOW = new Set([
  // Not always: tfjs's binary cross-entropy has a Relu of its own, which must stay float32.
  'Relu',
  'ReluGrad',
  'Elu',
  'EluGrad',
  'BiasAdd',
  'BiasAddGrad',
  'Add',
  'AddV2',
  'AddN',
  'Sub',
  'Mul',
  'RealDiv',
  'Neg',
  'ConcatV2',
  'SplitV',
  'Split',
  'Reshape',
  'Identity',
  'Slice',
  'StridedSlice',
  'Pad',
  'Transpose',
  'Select',
  'SelectV2',
  'ResizeNearestNeighbor',
  'ResizeNearestNeighborGrad',
]);

const CONV_ATTRS = [
  'strides',
  'padding',
  'explicit_paddings',
  'data_format',
  'dilations',
  'use_cudnn_on_gpu',
];
const ACTIVATIONS = new Set(['Relu', 'Elu']);

/**
 * `_FusedConv2D` takes no bfloat16 (its op definition lists half, float, double, int8), so it
 * goes back to Conv2D, BiasAdd and the activation; the session's remapper fuses them again for
 * oneDNN, which does take bfloat16. The last node keeps the name its consumers read.
 */
function unfuse(node: NodeDef, dtypes: Map<string, number>): NodeDef[] | undefined {
  const fused = node.attrs.fused_ops;
  const ops = fused && 'strings' in fused ? fused.strings : [];
  if (ops[0] !== 'BiasAdd' || ops.length > 2 || (ops[1] && !ACTIVATIONS.has(ops[1])))
    return undefined;
  const [input, filter, bias] = node.inputs;
  const control = node.inputs.filter((i) => i.startsWith('^'));
  const T = node.attrs.T!;
  const conv: Record<string, Attr> = { T };
  for (const key of CONV_ATTRS) if (node.attrs[key]) conv[key] = node.attrs[key]!;
  const format = node.attrs.data_format;
  const biasName = ops[1] ? `${node.name}/bias_add` : node.name;
  dtypes.set(`${node.name}/conv`, DT.float);
  dtypes.set(biasName, DT.float);
  const nodes: NodeDef[] = [
    { name: `${node.name}/conv`, op: 'Conv2D', inputs: [input!, filter!, ...control], attrs: conv },
    {
      name: biasName,
      op: 'BiasAdd',
      inputs: [`${node.name}/conv`, bias!],
      attrs: format ? { T, data_format: format } : { T },
    },
  ];
  if (ops[1]) nodes.push({ name: node.name, op: ops[1], inputs: [biasName], attrs: { T } });
  return nodes;
}

const outputName = (node: string, index: number) => (index === 0 ? node : `${node}:${index}`);

/**
 * Rewrites `nodes` (in execution order; `dtypes` maps every output name to its TensorFlow type)
 * so that the ops above compute in bfloat16, with a Cast wherever a tensor crosses between the
 * two precisions. Returns the nodes and the fetch names, which always read float32.
 */
export function castToBfloat16(
  nodes: readonly NodeDef[],
  dtypes: ReadonlyMap<string, number>,
  fetchNames: readonly string[],
  /** The model's outputs: whatever reads them (the loss, metrics) reads float32, as in Keras. */
  modelOutputs: ReadonlySet<string> = new Set(),
): { nodes: NodeDef[]; fetchNames: string[] } {
  const types = new Map(dtypes);
  const expanded = nodes.flatMap((n) =>
    n.op === '_FusedConv2D' ? (unfuse(n, types) ?? [n]) : [n],
  );
  const outputsOf = new Map<string, number[]>();
  for (const name of types.keys()) {
    const [node, index] = name.includes(':') ? name.split(':') : [name, '0'];
    outputsOf.set(node!, [...(outputsOf.get(node!) ?? []), Number(index)]);
  }
  const low = new Set<string>();
  /** bfloat16 outputs that turn no follower bfloat16: weight gradients, the model's outputs. */
  const handBack = new Set<string>();
  const casts = new Map<string, string>();
  const out: NodeDef[] = [];
  const cast = (name: string, to: number): string => {
    const key = `${name}->${to}`;
    const known = casts.get(key);
    if (known) return known;
    const castName = `${name.replace(':', '/')}/to_${to === DT.bfloat16 ? 'bf16' : 'f32'}`;
    const from = to === DT.bfloat16 ? DT.float : DT.bfloat16;
    out.push({
      name: castName,
      op: 'Cast',
      inputs: [name],
      attrs: { SrcT: { type: from }, DstT: { type: to }, Truncate: { b: false } },
    });
    casts.set(key, castName);
    return castName;
  };
  const isFloat = (name: string) => types.get(name) === DT.float;

  for (const node of expanded) {
    const always = ALWAYS[node.op];
    const inputs = node.inputs.map((i) => (i.startsWith('^') ? i : plain(i)));
    const floatInputs = inputs.flatMap((name, k) => (isFloat(name) ? [k] : []));
    const isLow =
      always !== undefined ||
      (FOLLOW.has(node.op) &&
        floatInputs.some((k) => low.has(inputs[k]!) && !handBack.has(inputs[k]!)));
    const tInputs = new Set(always?.tInputs ?? floatInputs);
    for (const k of floatInputs) {
      const name = inputs[k]!;
      const wantLow = isLow && tInputs.has(k);
      if (wantLow && !low.has(name)) inputs[k] = cast(name, DT.bfloat16);
      else if (!wantLow && low.has(name)) inputs[k] = cast(name, DT.float);
    }
    if (!isLow) {
      out.push({ ...node, inputs });
      continue;
    }
    const attrs: Record<string, Attr> = { ...node.attrs, T: { type: DT.bfloat16 } };
    let op = node.op;
    if (always?.tOutputs) attrs.U = { type: DT.float };
    // Only version 3 takes a bfloat16 input (with float32 statistics); the outputs line up.
    if (op === 'FusedBatchNorm') op = 'FusedBatchNormV3';
    out.push({ ...node, op, inputs, attrs });
    const tOutputs = always?.tOutputs;
    for (const index of outputsOf.get(node.name) ?? []) {
      const name = outputName(node.name, index);
      if (!isFloat(name) || (tOutputs && !tOutputs.includes(index))) continue;
      low.add(name);
      if (TO_FLOAT_AFTER.has(node.op) || modelOutputs.has(name)) handBack.add(name);
    }
  }
  return {
    nodes: out,
    fetchNames: fetchNames.map((f) => {
      const name = plain(f);
      return low.has(name) ? `${cast(name, DT.float)}:0` : f;
    }),
  };
}

/**
 * For inference graphs, whose variables change only between runs: each Cast of a variable's
 * value (`shapes`: read name -> shape) to bfloat16 becomes a bfloat16 variable, filled by the
 * returned targets, so a run reads bfloat16 weights instead of casting all of them again (about
 * 5% of bf16 inference on the paper preset). Run the targets after every change of a variable.
 */
export function castVariablesOnce(
  nodes: readonly NodeDef[],
  shapes: ReadonlyMap<string, number[]>,
): { nodes: NodeDef[]; targets: string[] } {
  const dtype = { type: DT.bfloat16 };
  const renamed = new Map<string, string>();
  const added: NodeDef[] = [];
  for (const node of nodes) {
    const shape = shapes.get(node.inputs[0] ?? '');
    const to = node.attrs.DstT;
    if (node.op !== 'Cast' || !shape || !to || !('type' in to) || to.type !== DT.bfloat16) continue;
    const name = `${node.name}/once`;
    added.push(
      {
        name,
        op: 'VarHandleOp',
        inputs: [],
        attrs: { dtype, shape: { shape }, shared_name: { s: name }, container: { s: '' } },
      },
      { name: `${name}/read`, op: 'ReadVariableOp', inputs: [name], attrs: { dtype } },
      { name: `${name}/set`, op: 'AssignVariableOp', inputs: [name, node.name], attrs: { dtype } },
    );
    renamed.set(node.name, `${name}/read`);
  }
  const rename = (input: string) => renamed.get(input) ?? input;
  return {
    nodes: [...nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename) })), ...added],
    targets: [...renamed.values()].map((read) => read.replace(/\/read$/, '/set')),
  };
}
