import * as tf from '@tensorflow/tfjs';
import {
  floatType,
  type NativeBackend,
  nativeBackend,
  nhwcWindow,
  type OpAttr,
  oneDnnLabel,
  opRuns,
  overrideKernel,
  tfPadding,
} from './native-backend.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: string | null;
}

function poolAttrs(native: NativeBackend, attrs: PoolAttrs, pad: 'SAME' | 'VALID'): OpAttr[] {
  const { binding } = native;
  return [
    floatType(native),
    { name: 'ksize', type: binding.TF_ATTR_INT, value: nhwcWindow(attrs.filterSize) },
    { name: 'strides', type: binding.TF_ATTR_INT, value: nhwcWindow(attrs.strides) },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: pad },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'workspace_enabled', type: binding.TF_ATTR_BOOL, value: true },
    oneDnnLabel(native),
  ];
}

/** Whether oneDNN's max pooling runs on this TensorFlow build and device. */
export function oneDnnPooling(native: NativeBackend): boolean {
  return opRuns('_MklNativeMaxPool', () =>
    tf.tidy(() => {
      const attrs = poolAttrs(native, { filterSize: 2, strides: 2, pad: 'valid' }, 'VALID');
      return native.executeMultipleOutputs('_MklNativeMaxPool', attrs, [tf.zeros([1, 2, 2, 1])], 2);
    }),
  );
}

/** The oneDNN op's settings for a tfjs pooling call it can take, else undefined. */
function usableAttrs(x: tf.TensorInfo, attrs: PoolAttrs): OpAttr[] | undefined {
  const native = nativeBackend();
  if (!native || x.dtype !== 'float32' || x.shape.length !== 4 || attrs.dimRoundingMode) return;
  if (attrs.pad !== 'same' && attrs.pad !== 'valid') return;
  if (!oneDnnPooling(native)) return;
  return poolAttrs(native, attrs, tfPadding(attrs.pad));
}

let installed = false;

/**
 * Max pooling and its gradient on oneDNN's kernels, which keep the argmax in a workspace.
 * TensorFlow's eager MaxPoolGrad recomputes the pooling with a generic kernel: 13 ms of a U-Net
 * step at [16,128,128,16] against under 1 ms for the forward and 1 ms for the gradient here. The
 * gradient reruns the (cheap) forward for its workspace; ties go to the same element as
 * TensorFlow's. Anything oneDNN cannot take (other dtypes, explicit rounding, builds without
 * oneDNN, GPU) goes to tfjs-node's kernels.
 */
export function registerMaxPool(): void {
  if (installed || !tf.getKernel('MaxPool', 'tensorflow')) return;
  installed = true;
  overrideKernel('MaxPool', ({ inputs, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const opAttrs = usableAttrs(x, attrs as unknown as PoolAttrs);
    if (!opAttrs) return undefined;
    const [y, workspace] = nativeBackend()!.executeMultipleOutputs(
      '_MklNativeMaxPool',
      opAttrs,
      [x],
      2,
    );
    workspace!.dispose();
    return y;
  });
  overrideKernel('MaxPoolGrad', ({ inputs, attrs }) => {
    const { dy, input, output } = inputs as Record<string, tf.TensorInfo>;
    const opAttrs = usableAttrs(input!, attrs as unknown as PoolAttrs);
    if (!opAttrs) return undefined;
    const native = nativeBackend()!;
    const [y, workspace] = native.executeMultipleOutputs('_MklNativeMaxPool', opAttrs, [input!], 2);
    y!.dispose();
    try {
      return native.executeSingleOutput('_MklNativeMaxPoolGrad', opAttrs, [
        input!,
        output!,
        dy!,
        workspace!,
      ]);
    } finally {
      workspace!.dispose();
    }
  });
}
