// Records the TensorFlow ops a piece of tfjs code runs on the tfjs-node backend, by wrapping the
// binding's single native entry (`executeOp`) and its tensor upload (`createTensor`). Every
// kernel tfjs runs there - forward, tfjs's own gradient formulas, our fused kernels, the
// optimizer update - ends in one `executeOp`, so the trace is the whole step as TensorFlow ops.
import * as tf from '@tensorflow/tfjs';
import { ShapeOracle } from './shape-oracle.js';

/** One op attribute as tfjs-node's binding takes it. */
export interface BindingAttr {
  name: string;
  type: number;
  value: unknown;
}

export interface TensorMeta {
  id: number;
  shape: number[];
  dtype: number;
}

/** The tfjs-node binding, with the graph functions of our patch (levels 2-4). */
export interface Binding {
  executeOp(name: string, attrs: BindingAttr[], inputs: number[], numOutputs: number): TensorMeta[];
  createTensor(shape: number[], dtype: number, values: ArrayLike<number> | unknown[]): number;
  tensorDataSync(id: number): ArrayLike<number>;
  deleteTensor(id: number): void;
  graphSessionCreate?(graphDef: Uint8Array, config: Uint8Array, xla?: boolean): number;
  /** feedData: typed arrays, or the binding's ids of tfjs tensors; asTensors: fetch as new ones. */
  graphSessionRun?(
    id: number,
    feedNames: string[],
    feedTypes: number[],
    feedShapes: number[][],
    feedData: (ArrayBufferView | number)[],
    fetchNames: string[],
    targetNames: string[],
    asTensors?: boolean,
  ): ({ dtype: number; shape: number[]; data: ArrayLike<number> } | TensorMeta)[];
  graphSessionDelete?(id: number): void;
  shapeGraphCreate?(): number;
  shapeGraphAdd?(
    id: number,
    graphDef: Uint8Array,
    inputs: string[],
    outputs: string[],
  ): { dtype: number; shape: number[] | null }[];
  shapeGraphDelete?(id: number): void;
  UNET_PATCH_LEVEL?: number;
  TF_ATTR_STRING: number;
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_ATTR_SHAPE: number;
  TF_FLOAT: number;
  TF_INT32: number;
  TF_INT64: number;
  TF_BOOL: number;
}

/** The parts of tfjs-node's NodeJSKernelBackend this folder reads. */
export interface NodeBackend {
  binding: Binding;
  tensorMap: {
    get(dataId: object): { id: number; values: unknown; refCount: number } | undefined;
  };
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  /** A tfjs tensor over a binding tensor (executeOp's outputs), owning it. */
  createOutputTensor(meta: TensorMeta): tf.Tensor;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function nodeBackend(): NodeBackend | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const backend = tf.backend() as unknown as Partial<NodeBackend>;
  return backend.binding && backend.tensorMap ? (backend as NodeBackend) : undefined;
}

/** The binding's tensor id behind a tfjs tensor, uploading JS-held values first (as tfjs-node does lazily). */
export function tensorId(backend: NodeBackend, t: tf.Tensor): number {
  return backend.getInputTensorIds([t])[0]!;
}

/** tfjs-node's (or -gpu's) GatherV2 kernel, seen in a stack trace. */
const GATHER_BOUNDS_CHECK = /[\\/]tfjs-node(-gpu)?[\\/]dist[\\/]kernels[\\/]GatherV2\.js:/;

/** The call stack, deep enough to reach tfjs's op functions below the backend's frames. */
function deepStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack;
}

export interface RecordedOp {
  op: string;
  attrs: BindingAttr[];
  inputs: number[];
  outputs: TensorMeta[];
}

export interface RecordedConst {
  shape: number[];
  dtype: number;
  values: ArrayLike<number>;
}

export interface Trace {
  ops: RecordedOp[];
  /** Tensors uploaded from JS during the run: constants of the step. */
  consts: Map<number, RecordedConst>;
  /** Output id -> [op index, output index]. */
  producers: Map<number, [number, number]>;
  /** Reasons the run cannot be replayed as a graph (empty when it can). */
  problems: string[];
  /** Symbolic recording only: outputs whose shapes TensorFlow cannot infer without running. */
  unknownShapes: string[];
}

/**
 * Runs `fn` with the binding wrapped, returning what it did. Reads of op outputs by JS during the
 * run (dataSync, a value decided in JS) are problems: a graph cannot replay a JS decision.
 * With `symbolic` (binding level 3) nothing runs: `fn` sees stand-in tensors whose shapes
 * TensorFlow infers (shape-oracle.ts), and must let go of all of them before it returns.
 */
export function recordOps(
  backend: NodeBackend,
  fn: () => void,
  options: { symbolic?: boolean } = {},
): Trace {
  const binding = backend.binding;
  const trace: Trace = {
    ops: [],
    consts: new Map(),
    producers: new Map(),
    problems: [],
    unknownShapes: [],
  };
  const oracle = options.symbolic ? new ShapeOracle(binding, trace.consts) : null;
  // The native module's functions are read-only properties: the backend gets a stand-in object
  // whose prototype is the binding, so constants and the other functions still resolve.
  const wrapper = Object.create(binding) as Binding;
  // Inherited read-only properties block plain assignment; own properties shadow them.
  const own = <K extends keyof Binding>(key: K, value: Binding[K]) =>
    Object.defineProperty(wrapper, key, { value, writable: true });
  own('executeOp', (name, attrs, inputs, numOutputs) => {
    const outputs = oracle
      ? oracle.execute(name, attrs, inputs, numOutputs)
      : binding.executeOp(name, attrs, inputs, numOutputs);
    const index = trace.ops.length;
    trace.ops.push({ op: name, attrs, inputs: [...inputs], outputs });
    outputs.forEach((o, i) => {
      trace.producers.set(o.id, [index, i]);
    });
    return outputs;
  });
  own('createTensor', (shape, dtype, values) => {
    const id = binding.createTensor(shape, dtype, values);
    const size = shape.reduce((a, b) => a * b, 1);
    // tfjs's own dropout draws its mask in JS: as a constant the graph would reuse one mask.
    if (size > 1 && dtype === binding.TF_FLOAT && /\bdropout_\b/.test(deepStack())) {
      trace.problems.push(
        'dropout draws its random mask in JS (tf.dropout); use a kernel-based dropout',
      );
    }
    const copy = Array.isArray(values) ? [...values] : (values as Float32Array).slice();
    trace.consts.set(id, { shape: [...shape], dtype, values: copy as ArrayLike<number> });
    return id;
  });
  own('tensorDataSync', (id) => {
    const producer = trace.producers.get(id);
    // tfjs-node's GatherV2 reads its indices only to throw on one out of range: no value depends
    // on the read, and TensorFlow's own GatherV2 raises that error inside the graph.
    if (producer && !GATHER_BOUNDS_CHECK.test(deepStack())) {
      trace.problems.push(
        `the output of ${trace.ops[producer[0]]!.op} is read by JS during the step`,
      );
    }
    return oracle?.isStandIn(id) ? oracle.zeros(id) : binding.tensorDataSync(id);
  });
  const getInputTensorIds = backend.getInputTensorIds;
  const ownIds = Object.hasOwn(backend, 'getInputTensorIds');
  if (oracle) {
    own('deleteTensor', (id) => {
      if (!oracle.isStandIn(id)) binding.deleteTensor(id);
    });
    // Placeholders in the shape graph need the dtype and shape of the real tensors read.
    backend.getInputTensorIds = (tensors) => {
      const ids = getInputTensorIds.call(backend, tensors);
      tensors.forEach((t, i) => {
        oracle.noteInput(ids[i]!, t.dtype, t.shape);
      });
      return ids;
    };
  }
  backend.binding = wrapper;
  try {
    fn();
    if (oracle) trace.unknownShapes.push(...oracle.unknownShapes);
  } finally {
    backend.binding = binding;
    if (oracle) {
      if (ownIds) backend.getInputTensorIds = getInputTensorIds;
      else delete (backend as Partial<NodeBackend>).getInputTensorIds;
      oracle.dispose();
    }
  }
  return trace;
}
