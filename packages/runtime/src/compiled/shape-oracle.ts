// Recording a step without running it. The recorder hands every op tfjs would execute to this
// oracle instead of the binding: the op goes into a TensorFlow graph of its own (binding patch
// level 3), whose shape inference gives each output's dtype and shape, and tfjs gets stand-in
// tensors (ids no real tensor has) with those. Nothing is computed and no activation is
// allocated, so building the graph costs no eager step's memory: TensorFlow's allocator keeps
// what an eager step takes, and that was most of the peak RSS above Keras.
import { contentOf, convertAttr, fixTypeAttr } from './graph.js';
import { type Attr, constNode, encodeGraphDef, type NodeDef } from './proto.js';
import type { Binding, BindingAttr, RecordedConst, TensorMeta } from './recorder.js';
import { type StandardNodes, standardOp } from './standard-ops.js';

/** The binding level with shape graphs. */
export const SHAPE_ORACLE_PATCH_LEVEL = 3;

/** Stand-in ids start here, far above the ids tfjs-node gives real tensors. */
const STAND_IN_BASE = 1_500_000_000;

const TFJS_DTYPE_CODES: Record<string, keyof Binding> = {
  float32: 'TF_FLOAT',
  int32: 'TF_INT32',
  bool: 'TF_BOOL',
};

/**
 * Outputs only another kernel reads, whatever their shape (batch norm's reserve space for its
 * gradient): a stand-in of unknown shape is safe for them, since JS never looks at it.
 */
function opaque(op: string, output: number): boolean {
  return /^(_MklNative)?FusedBatchNorm(V2|V3)?$/.test(op) && output >= 3;
}

export function shapeOracleSupport(binding: Binding): boolean {
  return (binding.UNET_PATCH_LEVEL ?? 0) >= SHAPE_ORACLE_PATCH_LEVEL && !!binding.shapeGraphAdd;
}

export class ShapeOracle {
  /** Outputs whose shapes only running tells (the recording cannot stand for the step). */
  readonly unknownShapes: string[] = [];
  private readonly graph: number;
  private next = STAND_IN_BASE;
  /** Stand-in id -> the graph tensor and its meta. */
  private readonly standIns = new Map<number, { name: string; meta: TensorMeta }>();
  /** Real tensors the recorded code reads: id -> dtype and shape (from tfjs). */
  private readonly real = new Map<number, { dtype: number; shape: number[] }>();
  private readonly named = new Set<string>();
  private ops = 0;

  constructor(
    private readonly binding: Binding,
    private readonly consts: Map<number, RecordedConst>,
  ) {
    this.graph = binding.shapeGraphCreate!();
  }

  isStandIn(id: number): boolean {
    return id >= STAND_IN_BASE && this.standIns.has(id);
  }

  /** A real tensor about to be an op input: its dtype and shape, for a placeholder. */
  noteInput(id: number, dtype: string, shape: number[]): void {
    if (id >= STAND_IN_BASE || this.real.has(id)) return;
    const key = TFJS_DTYPE_CODES[dtype];
    if (key) this.real.set(id, { dtype: this.binding[key] as number, shape: [...shape] });
  }

  /** What a JS read of a stand-in gets: zeros (the read is a problem the recorder reports). */
  zeros(id: number): Float32Array | Int32Array | Uint8Array {
    const { meta } = this.standIns.get(id)!;
    const size = meta.shape.reduce((a, b) => a * b, 1);
    if (meta.dtype === this.binding.TF_INT32) return new Int32Array(size);
    if (meta.dtype === this.binding.TF_BOOL) return new Uint8Array(size);
    return new Float32Array(size);
  }

  /** The graph tensor an op input names, adding its constant or placeholder the first time. */
  private ref(id: number): string {
    const standIn = this.standIns.get(id);
    if (standIn) return standIn.name;
    const c = this.consts.get(id);
    const name = c ? `c${id}` : `p${id}`;
    if (this.named.has(name)) return `${name}:0`;
    let node: NodeDef;
    if (c) {
      const content = contentOf(c, this.binding);
      node = constNode(name, { dtype: c.dtype, shape: c.shape, content });
    } else {
      const real = this.real.get(id);
      if (!real) throw new Error(`tensor ${id} is neither recorded nor an input tfjs named`);
      const attrs: Record<string, Attr> = {
        dtype: { type: real.dtype },
        shape: { shape: real.shape },
      };
      node = { name, op: 'Placeholder', inputs: [], attrs };
    }
    this.binding.shapeGraphAdd!(this.graph, encodeGraphDef([node]), [], []);
    this.named.add(name);
    return `${name}:0`;
  }

  private dtypeOf(id: number): number | undefined {
    return (
      this.standIns.get(id)?.meta.dtype ?? this.consts.get(id)?.dtype ?? this.real.get(id)?.dtype
    );
  }

  /** What executeOp would return for this op, without running it. */
  execute(op: string, attrs: BindingAttr[], inputs: number[], numOutputs: number): TensorMeta[] {
    const k = this.ops++;
    const converted: Record<string, Attr> = {};
    for (const a of attrs) converted[a.name] = convertAttr(this.binding, a);
    fixTypeAttr(
      converted,
      inputs.map((id) => this.dtypeOf(id)),
    );
    const external = new Set<string>();
    const ref = (id: number) => {
      const name = this.ref(id);
      external.add(name);
      return name;
    };
    const nodes: StandardNodes = standardOp(`op${k}`, op, inputs, ref, converted);
    const outputNames: (string | null)[] = [];
    for (let i = 0; i < numOutputs; i++) {
      try {
        outputNames.push(nodes.output(i));
      } catch {
        outputNames.push(null); // oneDNN's pooling workspace: no standard tensor, never read
      }
    }
    const asked = outputNames.filter((n): n is string => n !== null);
    const inferred = this.binding.shapeGraphAdd!(
      this.graph,
      encodeGraphDef(nodes.nodes),
      [...external],
      asked,
    );
    return outputNames.map((name, i) => {
      const id = this.next++;
      let meta: TensorMeta;
      if (name === null) {
        meta = { id, shape: [0], dtype: this.binding.TF_FLOAT };
      } else {
        const found = inferred[asked.indexOf(name)]!;
        const known = found.shape !== null && found.shape.every((d) => d >= 0);
        if (known) meta = { id, shape: found.shape!, dtype: found.dtype };
        else if (opaque(op, i)) meta = { id, shape: [0], dtype: found.dtype };
        else {
          this.unknownShapes.push(`output ${i} of ${op} has a shape known only when it runs`);
          meta = { id, shape: (found.shape ?? []).map((d) => Math.max(d, 1)), dtype: found.dtype };
        }
      }
      this.standIns.set(id, { name: name ?? `op${k}:${i}`, meta });
      return meta;
    });
  }

  dispose(): void {
    this.binding.shapeGraphDelete!(this.graph);
  }
}
