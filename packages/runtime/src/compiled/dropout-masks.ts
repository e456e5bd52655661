// Dropout masks from 16 random bits per value. Dropout records `RandomUniform -> Less(keep)`:
// one float32 draw per value, from TensorFlow's Philox generator, which is scalar code and was
// a fifth of a satellite training step. One 32-bit draw of RandomUniformInt makes the masks of
// two values instead (bitcast to two uint16 halves, kept when below round(keep * 65536)): half
// the generator's work for the same mask, with keep probabilities off by at most 2^-17.
import { constNode, DT, type NodeDef, plainInput } from './proto.js';

/** The uint16 threshold for a keep probability, or null when 16 bits cannot express it. */
export function bitsThreshold(keep: number): number | null {
  const threshold = Math.round(keep * 65536);
  return threshold > 0 && threshold < 65536 ? threshold : null;
}

const int32 = { type: DT.int32 };
const uint16 = { type: DT.uint16 };

function constValues(node: NodeDef | undefined, dtype: number): number[] | null {
  const value = node?.op === 'Const' ? node.attrs.value : undefined;
  if (!value || !('tensor' in value) || value.tensor.dtype !== dtype) return null;
  const { content } = value.tensor;
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const read = dtype === DT.float ? view.getFloat32.bind(view) : view.getInt32.bind(view);
  return Array.from({ length: content.byteLength / 4 }, (_, k) => read(4 * k, true));
}

const int32Bytes = (values: number[]) => new Uint8Array(Int32Array.from(values).buffer);
/** An int32 scalar (`shape` []) or vector of one value (`shape` [1]). */
const int32Const = (name: string, value: number, shape: number[] = []) =>
  constNode(name, { dtype: DT.int32, shape, content: int32Bytes([value]) });

/** The nodes that draw `shape`'s mask bits as one uint16 per value, ending in node `out`. */
function maskBits(draw: NodeDef, shapeInput: string, shape: number[], out: string): NodeDef[] {
  const count = shape.reduce((a, b) => a * b, 1);
  const name = draw.name;
  const halves = Math.ceil(count / 2);
  const nodes: NodeDef[] = [
    int32Const(`${name}/count`, halves, [1]),
    int32Const(`${name}/min`, -(2 ** 31)),
    int32Const(`${name}/max`, 2 ** 31 - 1),
    {
      // The recorded op's seeds: the same reproducibility (or not) as the float draw.
      name,
      op: 'RandomUniformInt',
      inputs: [`${name}/count`, `${name}/min`, `${name}/max`],
      attrs: {
        seed: draw.attrs.seed ?? { i: 0 },
        seed2: draw.attrs.seed2 ?? { i: 0 },
        T: int32,
        Tout: int32,
      },
    },
    { name: `${name}/halves`, op: 'Bitcast', inputs: [name], attrs: { T: int32, type: uint16 } },
  ];
  if (count % 2 === 0) {
    nodes.push(reshape(out, `${name}/halves`, shapeInput));
    return nodes;
  }
  // An odd count: one half too many, sliced off the flattened halves.
  nodes.push(
    int32Const(`${name}/flat_shape`, -1, [1]),
    reshape(`${name}/flat`, `${name}/halves`, `${name}/flat_shape`),
    int32Const(`${name}/begin`, 0, [1]),
    int32Const(`${name}/size`, count, [1]),
    {
      name: `${name}/used`,
      op: 'Slice',
      inputs: [`${name}/flat`, `${name}/begin`, `${name}/size`],
      attrs: { T: uint16, Index: int32 },
    },
    reshape(out, `${name}/used`, shapeInput),
  );
  return nodes;
}

function reshape(name: string, input: string, shape: string): NodeDef {
  return { name, op: 'Reshape', inputs: [input, shape], attrs: { T: uint16, Tshape: int32 } };
}

/**
 * Rewrites every float32 `RandomUniform` whose only reader is `Less(noise, keep)` (a constant
 * keep) into a draw of 16 bits per value compared against {@link bitsThreshold}; other random
 * draws stay as they are. `nodes` are in execution order; the Less keeps its name and output.
 */
export function dropoutMasksFromBits(nodes: readonly NodeDef[]): NodeDef[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const readers = new Map<string, NodeDef[]>();
  for (const n of nodes) {
    for (const input of n.inputs) {
      const source = plainInput(input.replace(/^\^/, ''));
      const known = readers.get(source);
      if (known) known.push(n);
      else readers.set(source, [n]);
    }
  }
  const replaced = new Map<string, NodeDef[]>();
  for (const draw of nodes) {
    const dtype = draw.attrs.dtype;
    if (draw.op !== 'RandomUniform' || !dtype || !('type' in dtype) || dtype.type !== DT.float) {
      continue;
    }
    const shape = constValues(byName.get(plainInput(draw.inputs[0] ?? '')), DT.int32);
    const [less, ...others] = readers.get(draw.name) ?? [];
    if (!shape || !less || others.length > 0 || less.op !== 'Less') continue;
    if (less.inputs[0] !== draw.name && less.inputs[0] !== `${draw.name}:0`) continue;
    const keep = constValues(byName.get(plainInput(less.inputs[1] ?? '')), DT.float);
    const threshold = keep?.length === 1 ? bitsThreshold(keep[0]!) : null;
    if (threshold === null || less.inputs.length !== 2) continue;
    const bits = `${draw.name}/bits`;
    replaced.set(draw.name, maskBits(draw, draw.inputs[0]!, shape, bits));
    replaced.set(less.name, [
      constNode(`${less.name}/threshold`, {
        dtype: DT.uint16,
        shape: [],
        content: new Uint8Array(Uint16Array.of(threshold).buffer),
      }),
      {
        name: less.name,
        op: 'Less',
        inputs: [bits, `${less.name}/threshold`],
        attrs: { T: uint16 },
      },
    ]);
  }
  return nodes.flatMap((n) => replaced.get(n.name) ?? [n]);
}
