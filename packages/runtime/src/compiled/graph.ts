// Turns a recorded trace into GraphDef nodes: recorded ops become nodes, tensors from outside
// the trace become variables, placeholders or constants, and variables that changed get
// assignments that run after every read of them.
import { castToBfloat16, castVariablesOnce } from './bfloat16.js';
import { dropoutMasksFromBits } from './dropout-masks.js';
import { type Attr, constNode, DT, type NodeDef } from './proto.js';
import type { Binding, BindingAttr, RecordedConst, Trace } from './recorder.js';
import { type StandardNodes, standardOp } from './standard-ops.js';

export interface GraphVariable {
  /** The binding id of the variable's value when recording started. */
  id: number;
  shape: number[];
  dtype: number;
}

export interface GraphSpec {
  trace: Trace;
  variables: GraphVariable[];
  /** Variable index -> binding id of its new value. */
  assigns: Map<number, number>;
  /** Binding id -> placeholder, for the batch inputs. */
  feeds: { id: number; name: string; shape: number[]; dtype: number }[];
  fetches: number[];
  /** A learning rate put into the optimizer while recording; its constants become placeholder `lr`. */
  lrSentinel?: number;
  /** Convolutions, activations and the tensors between them in bfloat16 (see bfloat16.ts). */
  bfloat16?: boolean;
  /** Binding ids of the model's outputs, which the loss and metrics read as float32. */
  modelOutputs?: number[];
  /**
   * Inference graphs in bfloat16: each variable is cast to bfloat16 once, by `castTargets` after
   * it changes, rather than on every run (see castVariablesOnce).
   */
  castVariablesOnce?: boolean;
}

export interface BuiltGraph {
  nodes: NodeDef[];
  fetchNames: string[];
  /** Variable index -> name of its read output, fetched by sync. */
  readNames: string[];
  initNames: string[];
  initTargets: string[];
  /** Run after the variables change (`castVariablesOnce`); empty otherwise. */
  castTargets: string[];
  stepTarget: string | null;
  lrUsed: boolean;
  /** Op types in the graph, for messages and tests. */
  opCount: number;
}

/** A recorded constant's bytes, as a GraphDef tensor holds them. */
export function contentOf(c: RecordedConst, b: Binding): Uint8Array {
  const size = c.shape.reduce((a, x) => a * x, 1);
  let data: ArrayBufferView;
  // A Float32Array (as recorded weights arrive) is viewed, not copied.
  if (c.dtype === b.TF_FLOAT && c.values instanceof Float32Array) data = c.values;
  else if (c.dtype === b.TF_FLOAT) data = Float32Array.from(c.values);
  else if (c.dtype === b.TF_INT32) data = Int32Array.from(c.values);
  else if (c.dtype === b.TF_BOOL) data = Uint8Array.from(c.values);
  else if (c.dtype === b.TF_INT64 && c.values.length === 2 * size) data = Int32Array.from(c.values);
  else throw new Error(`a constant of TensorFlow type ${c.dtype} in the step`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function convertAttr(b: Binding, a: BindingAttr): Attr {
  const v = a.value;
  const list = Array.isArray(v);
  switch (a.type) {
    case b.TF_ATTR_STRING:
      return list ? { strings: v as string[] } : { s: String(v) };
    case b.TF_ATTR_INT:
      return list ? { ints: v as number[] } : { i: v as number };
    case b.TF_ATTR_FLOAT:
      return list ? { floats: v as number[] } : { f: v as number };
    case b.TF_ATTR_BOOL:
      return list ? { bools: v as boolean[] } : { b: Boolean(v) };
    case b.TF_ATTR_TYPE:
      return list ? { types: v as number[] } : { type: v as number };
    case b.TF_ATTR_SHAPE:
      return { shape: v as number[] };
    default:
      throw new Error(`attribute ${a.name} of kind ${a.type}`);
  }
}

const dtypeAttr = (dtype: number): Attr => ({ type: dtype });

/**
 * tfjs-node sometimes sets `T` from the tfjs tensor while feeding another dtype (Mean of a bool
 * tensor: T=bool, input cast to float32). Eager TensorFlow infers T from the inputs and never
 * notices; a graph import checks it. A T that matches no input takes the first input's dtype.
 */
export function fixTypeAttr(attrs: Record<string, Attr>, inputTypes: (number | undefined)[]): void {
  const t = attrs.T;
  if (!t || !('type' in t) || inputTypes.length === 0) return;
  if (inputTypes.includes(t.type) || inputTypes[0] === undefined) return;
  attrs.T = { type: inputTypes[0] };
}

export function buildGraph(spec: GraphSpec, b: Binding): BuiltGraph {
  const { trace } = spec;
  const varById = new Map(spec.variables.map((v, i) => [v.id, i]));
  const feedById = new Map(spec.feeds.map((f) => [f.id, f.name]));
  const nodes: NodeDef[] = [];
  const emitted = new Set<string>();
  const emit = (node: NodeDef) => {
    if (!emitted.has(node.name)) nodes.push(node);
    emitted.add(node.name);
  };
  /** Output name -> TensorFlow type, for the bfloat16 pass. */
  const dtypes = new Map<string, number>([
    ['lr', DT.float],
    ['lr/neg', DT.float],
  ]);
  const lrValue = spec.lrSentinel === undefined ? undefined : Math.fround(spec.lrSentinel);
  let lrUsed = false;
  const standard = new Map<number, StandardNodes>();

  const ref = (id: number): string => {
    const v = varById.get(id);
    if (v !== undefined) return `v${v}/read`;
    const feed = feedById.get(id);
    if (feed !== undefined) return feed;
    const producer = trace.producers.get(id);
    if (producer) return standard.get(producer[0])!.output(producer[1]);
    const c = trace.consts.get(id);
    if (!c) throw new Error(`tensor ${id} comes from outside the step and is no variable or input`);
    const scalar = c.shape.length === 0 && c.dtype === b.TF_FLOAT;
    if (lrValue !== undefined && scalar && Math.abs(c.values[0]!) === lrValue) {
      lrUsed = true;
      emit({
        name: 'lr',
        op: 'Placeholder',
        inputs: [],
        attrs: { dtype: dtypeAttr(DT.float), shape: { shape: [] } },
      });
      if (c.values[0]! > 0) return 'lr';
      emit({ name: 'lr/neg', op: 'Neg', inputs: ['lr'], attrs: { T: dtypeAttr(DT.float) } });
      return 'lr/neg';
    }
    dtypes.set(`c${id}`, c.dtype);
    emit(constNode(`c${id}`, { dtype: c.dtype, shape: c.shape, content: contentOf(c, b) }));
    return `c${id}`;
  };

  const dtypeOf = (id: number): number | undefined => {
    const v = varById.get(id);
    if (v !== undefined) return spec.variables[v]!.dtype;
    const p = trace.producers.get(id);
    if (p) return trace.ops[p[0]]!.outputs[p[1]]!.dtype;
    return spec.feeds.find((f) => f.id === id)?.dtype ?? trace.consts.get(id)?.dtype;
  };

  // Which ops the fetches and assignments need (ops are recorded in execution order).
  const needed = new Set<number>();
  const want = (id: number) => {
    const p = trace.producers.get(id);
    if (p) needed.add(p[0]);
  };
  spec.fetches.forEach(want);
  for (const id of spec.assigns.values()) want(id);
  for (let k = trace.ops.length - 1; k >= 0; k--) {
    if (needed.has(k)) trace.ops[k]!.inputs.forEach(want);
  }

  for (const f of spec.feeds) {
    dtypes.set(f.name, f.dtype);
    emit({
      name: f.name,
      op: 'Placeholder',
      inputs: [],
      attrs: { dtype: dtypeAttr(f.dtype), shape: { shape: f.shape } },
    });
  }
  const readNames: string[] = [];
  const initNames: string[] = [];
  const initTargets: string[] = [];
  spec.variables.forEach((v, i) => {
    const shape = { shape: v.shape };
    dtypes.set(`v${i}/read`, v.dtype);
    const dtype = dtypeAttr(v.dtype);
    emit({
      name: `v${i}`,
      op: 'VarHandleOp',
      inputs: [],
      attrs: { dtype, shape, shared_name: { s: `v${i}` }, container: { s: '' } },
    });
    emit({ name: `v${i}/read`, op: 'ReadVariableOp', inputs: [`v${i}`], attrs: { dtype } });
    emit({ name: `v${i}/init_value`, op: 'Placeholder', inputs: [], attrs: { dtype, shape } });
    emit({
      name: `v${i}/init`,
      op: 'AssignVariableOp',
      inputs: [`v${i}`, `v${i}/init_value`],
      attrs: { dtype },
    });
    readNames.push(`v${i}/read:0`);
    initNames.push(`v${i}/init_value:0`);
    initTargets.push(`v${i}/init`);
  });

  for (const k of [...needed].sort((a, b2) => a - b2)) {
    const op = trace.ops[k]!;
    const attrs: Record<string, Attr> = {};
    for (const a of op.attrs) attrs[a.name] = convertAttr(b, a);
    fixTypeAttr(attrs, op.inputs.map(dtypeOf));
    const nodes = standardOp(`op${k}`, op.op, op.inputs, ref, attrs);
    standard.set(k, nodes);
    nodes.nodes.forEach(emit);
    op.outputs.forEach((o, index) => {
      try {
        dtypes.set(nodes.output(index), o.dtype);
      } catch {
        // An output with no standard equivalent (oneDNN's pooling workspace) is never read.
      }
    });
  }

  let stepTarget: string | null = null;
  if (spec.assigns.size > 0) {
    const assigns: string[] = [];
    for (const [i, id] of spec.assigns) {
      const dtype = dtypeAttr(spec.variables[i]!.dtype);
      // After this variable's read: a consumer of the old value gets it even though the
      // assignment runs in the same step (resource variables copy on write).
      emit({
        name: `v${i}/assign`,
        op: 'AssignVariableOp',
        inputs: [`v${i}`, ref(id), `^v${i}/read`],
        attrs: { dtype },
      });
      assigns.push(`^v${i}/assign`);
    }
    stepTarget = 'train_step';
    emit({ name: stepTarget, op: 'NoOp', inputs: assigns, attrs: {} });
  }
  let fetchNames = spec.fetches.map((id) => {
    const name = ref(id);
    return name.includes(':') ? name : `${name}:0`;
  });
  let graphNodes = nodes;
  let castTargets: string[] = [];
  if (spec.bfloat16) {
    const outputs = new Set((spec.modelOutputs ?? []).map(ref));
    ({ nodes: graphNodes, fetchNames } = castToBfloat16(nodes, dtypes, fetchNames, outputs));
    if (spec.castVariablesOnce) {
      const shapes = new Map(spec.variables.map((v, i) => [`v${i}/read`, v.shape]));
      ({ nodes: graphNodes, targets: castTargets } = castVariablesOnce(graphNodes, shapes));
    }
  }
  return {
    nodes: dropoutMasksFromBits(graphNodes),
    fetchNames,
    readNames,
    initNames,
    initTargets,
    castTargets,
    stepTarget,
    lrUsed,
    opCount: needed.size,
  };
}
