// A few protobuf messages of TensorFlow (GraphDef, NodeDef, AttrValue, TensorProto, ConfigProto),
// written by hand: only encoding is needed, the field set is small and fixed, and a protobuf
// library would add a dependency and a schema-loading step for ~30 field numbers.

/** TensorFlow DataType enum values used here (types.proto). */
export const DT = {
  float: 1,
  int32: 3,
  uint8: 4,
  string: 7,
  int64: 9,
  bool: 10,
  bfloat16: 14,
  uint16: 17,
  resource: 20,
} as const;

/** Appends protobuf wire format to a growable byte buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private varint(value: number | bigint): void {
    // Negative int64 values take ten bytes of two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.int(field, value ? 1 : 0);
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const data = new Float32Array(values);
    return this.bytes(field, new Uint8Array(data.buffer));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** An attribute value, tagged by kind (AttrValue's oneof). */
export type Attr =
  | { s: string }
  | { strings: string[] }
  | { i: number }
  | { ints: number[] }
  | { f: number }
  | { floats: number[] }
  | { b: boolean }
  | { bools: boolean[] }
  | { type: number }
  | { types: number[] }
  | { shape: number[] | null }
  | { tensor: ConstTensor };

export interface ConstTensor {
  dtype: number;
  shape: number[];
  /** Little-endian element bytes (TensorProto.tensor_content). */
  content: Uint8Array;
}

export interface NodeDef {
  name: string;
  op: string;
  inputs: string[];
  attrs: Record<string, Attr>;
}

/** A Const node holding `tensor`. */
export function constNode(name: string, tensor: ConstTensor): NodeDef {
  return {
    name,
    op: 'Const',
    inputs: [],
    attrs: { dtype: { type: tensor.dtype }, value: { tensor } },
  };
}

/** A node input without `:0`: a node's first output goes by the node's own name. */
export const plainInput = (input: string) => (input.endsWith(':0') ? input.slice(0, -2) : input);

function writeShape(w: ProtoWriter, shape: number[] | null): void {
  if (shape === null) {
    w.bool(3, true); // unknown_rank
    return;
  }
  for (const size of shape) w.message(2, (d) => d.int(1, size));
}

function writeTensor(w: ProtoWriter, t: ConstTensor): void {
  w.int(1, t.dtype);
  w.message(2, (s) => writeShape(s, t.shape));
  if (t.content.length > 0) w.bytes(4, t.content);
}

function writeAttr(w: ProtoWriter, a: Attr): void {
  const list = (fill: (l: ProtoWriter) => void) => w.message(1, fill);
  if ('s' in a) w.string(2, a.s);
  else if ('strings' in a)
    list((l) => {
      for (const s of a.strings) l.string(2, s);
    });
  else if ('i' in a) w.int(3, a.i);
  else if ('ints' in a) list((l) => a.ints.length && l.packedInts(3, a.ints));
  else if ('f' in a) w.float(4, a.f);
  else if ('floats' in a) list((l) => a.floats.length && l.packedFloats(4, a.floats));
  else if ('b' in a) w.bool(5, a.b);
  else if ('bools' in a) list((l) => a.bools.length && l.packedInts(5, a.bools.map(Number)));
  else if ('type' in a) w.int(6, a.type);
  else if ('types' in a) list((l) => a.types.length && l.packedInts(6, a.types));
  else if ('shape' in a) w.message(7, (s) => writeShape(s, a.shape));
  else w.message(8, (t) => writeTensor(t, a.tensor));
}

/** GraphDef with `nodes`; producer 1205 (TF 2.13-era), new enough for every op tfjs-node runs. */
export function encodeGraphDef(nodes: readonly NodeDef[]): Uint8Array {
  const w = new ProtoWriter();
  for (const node of nodes) {
    w.message(1, (n) => {
      n.string(1, node.name).string(2, node.op);
      for (const input of node.inputs) n.string(3, input);
      for (const key of Object.keys(node.attrs).sort()) {
        n.message(5, (e) => e.string(1, key).message(2, (v) => writeAttr(v, node.attrs[key]!)));
      }
    });
  }
  w.message(4, (v) => v.int(1, 1205));
  return w.finish();
}

export interface SessionConfig {
  /** Threads for one kernel (ConfigProto.intra_op_parallelism_threads); 0 = TensorFlow's choice. */
  intraOpThreads?: number;
  interOpThreads?: number;
  /** XLA's CPU JIT for the whole graph (OptimizerOptions.global_jit_level ON_1). */
  xla?: boolean;
}

/** Serialized ConfigProto: grappler with its defaults (oneDNN layout rewrites on), plus the switches. */
export function encodeConfig(config: SessionConfig): Uint8Array {
  const JIT_ON_1 = 1;
  const JIT_OFF = -1;
  const w = new ProtoWriter();
  if (config.intraOpThreads) w.int(2, config.intraOpThreads);
  if (config.interOpThreads) w.int(5, config.interOpThreads);
  w.message(10, (g) => {
    g.message(3, (o) => o.int(5, config.xla ? JIT_ON_1 : JIT_OFF));
  });
  return w.finish();
}
