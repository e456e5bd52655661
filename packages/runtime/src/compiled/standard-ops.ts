// Our eager kernels call oneDNN's ops by their internal names (`_MklNative*`, picked by the
// `_kernel` label), which eager TensorFlow does not rewrite to by itself. In a graph they are
// wrong twice: their shape functions are loose (import fails on the flat optimizer update), and
// grappler's passes (remapper, oneDNN layout, bfloat16 mixed precision) only know the standard
// ops. So they go back to the standard ops, and the session's oneDNN rewrite picks the kernels.
import type { Attr, NodeDef } from './proto.js';

export interface StandardNodes {
  nodes: NodeDef[];
  /** Name of output `index` of the recorded op. */
  output(index: number): string;
}

function pick(attrs: Record<string, Attr>, keys: string[]): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const key of keys) if (attrs[key] !== undefined) out[key] = attrs[key]!;
  return out;
}

const POOL_ATTRS = ['T', 'ksize', 'strides', 'padding', 'data_format'];

/** The standard nodes for one recorded op named `name`. */
export function standardOp(
  name: string,
  op: string,
  inputIds: number[],
  ref: (id: number) => string,
  recorded: Record<string, Attr>,
): StandardNodes {
  // The workspace input of _MklNativeMaxPoolGrad is never resolved: MaxPool does not make one.
  const inputs = (op === '_MklNativeMaxPoolGrad' ? inputIds.slice(0, 3) : inputIds).map(ref);
  const { _kernel, ...attrs } = recorded;
  const at = (index: number) => (index === 0 ? name : `${name}:${index}`);
  const single = (node: NodeDef, outputs = Infinity): StandardNodes => ({
    nodes: [node],
    output: (index) => {
      if (index >= outputs) throw new Error(`output ${index} of ${op} has no standard equivalent`);
      return at(index);
    },
  });
  switch (op) {
    case '_MklNativeFusedConv2D':
      return single({ name, op: '_FusedConv2D', inputs, attrs });
    case '_MklNativeMaxPool':
      // Output 1 is oneDNN's workspace, read only by _MklNativeMaxPoolGrad (rewritten below).
      return single({ name, op: 'MaxPool', inputs, attrs: pick(attrs, POOL_ATTRS) }, 1);
    case '_MklNativeMaxPoolGrad':
      return single({ name, op: 'MaxPoolGrad', inputs, attrs: pick(attrs, POOL_ATTRS) });
    case '_MklNativeConv2DBackpropFilterWithBias': {
      const bias = `${name}/bias`;
      return {
        nodes: [
          { name, op: 'Conv2DBackpropFilter', inputs, attrs },
          {
            name: bias,
            op: 'BiasAddGrad',
            inputs: [inputs[2]!],
            attrs: pick(attrs, ['T', 'data_format']),
          },
        ],
        output: (index) => (index === 0 ? name : bias),
      };
    }
    default:
      return single({ name, op, inputs, attrs });
  }
}
