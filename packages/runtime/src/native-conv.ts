import * as tf from '@tensorflow/tfjs';
import { CONV2D_BACKPROP_KERNEL, type Conv2DBackpropKernelAttrs } from '@unet/layers';
import {
  floatType,
  type NativeBackend,
  nativeBackend,
  nhwcWindow,
  type OpAttr,
  oneDnnLabel,
  opRuns,
  overrideKernel,
  requireNative,
  tfPadding,
} from './native-backend.js';

/** The list attributes the fused op needs arrived with patch level 1 of the binding. */
const FUSED_OPS_PATCH_LEVEL = 1;

interface FusedConvAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: string | null;
  activation?: string;
}

const FUSED_OPS: Record<string, string[]> = {
  linear: ['BiasAdd'],
  relu: ['BiasAdd', 'Relu'],
  elu: ['BiasAdd', 'Elu'],
};

/** TensorFlow's gradient op of each fused activation, taking `(dy, y)`. */
const ACTIVATION_GRADIENT: Record<string, string> = { relu: 'ReluGrad', elu: 'EluGrad' };

function convAttrs(native: NativeBackend, strides: number | number[], pad: 'SAME' | 'VALID') {
  const { binding } = native;
  return [
    floatType(native),
    { name: 'strides', type: binding.TF_ATTR_INT, value: nhwcWindow(strides) },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: pad },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'dilations', type: binding.TF_ATTR_INT, value: [1, 1, 1, 1] },
  ];
}

function fusedAttrs(native: NativeBackend, attrs: FusedConvAttrs, fusedOps: string[]): OpAttr[] {
  const { binding } = native;
  return [
    ...convAttrs(native, attrs.strides, tfPadding(attrs.pad)),
    { name: 'fused_ops', type: binding.TF_ATTR_STRING, value: fusedOps },
    { name: 'num_args', type: binding.TF_ATTR_INT, value: 1 },
    { name: 'TArgs', type: binding.TF_ATTR_TYPE, value: [binding.TF_FLOAT] },
  ];
}

/** oneDNN's fused convolution where the build has it, else TensorFlow's own; undefined if neither. */
export function fusedConvOp(native: NativeBackend): { op: string; label: OpAttr[] } | undefined {
  if ((native.binding.UNET_PATCH_LEVEL ?? 0) < FUSED_OPS_PATCH_LEVEL) return;
  const candidates = [
    { op: '_MklNativeFusedConv2D', label: [oneDnnLabel(native)] },
    { op: '_FusedConv2D', label: [] },
  ];
  return candidates.find(({ op, label }) =>
    opRuns(op, () =>
      tf.tidy(() => {
        const attrs = { strides: 1, pad: 'same' };
        const inputs = [tf.ones([1, 2, 2, 1]), tf.ones([1, 1, 1, 1]), tf.zeros([1])];
        return native.executeSingleOutput(
          op,
          [...fusedAttrs(native, attrs, ['BiasAdd', 'Relu']), ...label],
          inputs,
        );
      }),
    ),
  );
}

function isUnit(value: number | number[] | undefined): boolean {
  return value === undefined || (Array.isArray(value) ? value : [value]).every((v) => v === 1);
}

/** tfjs's FusedConv2D as one TensorFlow op, for the cases that op covers. */
function fusedConv2D({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | undefined {
  const native = nativeBackend();
  const { x, filter, bias, preluActivationWeights } = inputs as Record<
    string,
    tf.TensorInfo | undefined
  >;
  const a = attrs as unknown as FusedConvAttrs;
  const fusedOps = FUSED_OPS[a.activation ?? 'linear'];
  const outChannels = filter?.shape[3];
  const usable =
    native &&
    fusedOps &&
    x?.dtype === 'float32' &&
    x.shape.length === 4 &&
    bias?.shape.length === 1 &&
    bias.shape[0] === outChannels &&
    !preluActivationWeights &&
    (a.dataFormat ?? 'NHWC') === 'NHWC' &&
    isUnit(a.dilations) &&
    !a.dimRoundingMode &&
    (a.pad === 'same' || a.pad === 'valid');
  if (!usable) return;
  const op = fusedConvOp(native);
  if (!op) return;
  return native.executeSingleOutput(
    op.op,
    [...fusedAttrs(native, a, fusedOps), ...op.label],
    [x, filter!, bias],
  );
}

const FILTER_WITH_BIAS = '_MklNativeConv2DBackpropFilterWithBias';

/** Whether oneDNN's filter gradient with the bias gradient in the same pass runs here. */
export function filterGradientWithBias(native: NativeBackend): boolean {
  return opRuns(FILTER_WITH_BIAS, () =>
    tf.tidy(() => {
      const ones = tf.ones([1, 2, 2, 1]);
      const attrs = [...convAttrs(native, 1, 'SAME'), oneDnnLabel(native)];
      const filterShape = tf.tensor1d([1, 1, 1, 1], 'int32');
      return native.executeMultipleOutputs(FILTER_WITH_BIAS, attrs, [ones, filterShape, ones], 2);
    }),
  );
}

function filterAndBiasGradient(
  native: NativeBackend,
  attrs: OpAttr[],
  x: tf.TensorInfo,
  filterShape: tf.Tensor,
  dy: tf.TensorInfo,
): tf.Tensor[] {
  if (filterGradientWithBias(native)) {
    const labelled = [...attrs, oneDnnLabel(native)];
    return native.executeMultipleOutputs(FILTER_WITH_BIAS, labelled, [x, filterShape, dy], 2);
  }
  const dFilter = native.executeSingleOutput('Conv2DBackpropFilter', attrs, [x, filterShape, dy]);
  const { binding } = native;
  const sumAttrs = [
    floatType(native),
    { name: 'Tidx', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
    { name: 'keep_dims', type: binding.TF_ATTR_BOOL, value: false },
  ];
  const axes = tf.tensor1d([0, 1, 2], 'int32');
  return [dFilter, native.executeSingleOutput('Sum', sumAttrs, [dy, axes])];
}

/**
 * {@link CONV2D_BACKPROP_KERNEL}: ReluGrad or EluGrad, then Conv2DBackpropInput (oneDNN in TensorFlow's eager
 * runtime) and oneDNN's filter gradient, which sums the bias gradient in the same pass.
 */
function conv2DBackprop({ inputs, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const native = requireNative(CONV2D_BACKPROP_KERNEL);
  const { dy, x, filter, y } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as Conv2DBackpropKernelAttrs;
  const opAttrs = convAttrs(native, a.strides, tfPadding(a.pad));
  return tf.tidy(() => {
    const gradientOp = ACTIVATION_GRADIENT[a.activation];
    const dyPre = gradientOp
      ? native.executeSingleOutput(gradientOp, [floatType(native)], [dy!, y!])
      : dy!;
    const inputShape = tf.tensor1d(x!.shape, 'int32');
    const filterShape = tf.tensor1d(filter!.shape, 'int32');
    const dx = native.executeSingleOutput('Conv2DBackpropInput', opAttrs, [
      inputShape,
      filter!,
      dyPre,
    ]);
    const [dFilter, dBias] = filterAndBiasGradient(native, opAttrs, x!, filterShape, dyPre);
    return [dx, dFilter!, dBias!];
  }) as unknown as tf.TensorInfo[];
}

let installed = false;

/**
 * Replaces tfjs-node's FusedConv2D (conv, then bias add, then activation: three ops) with
 * TensorFlow's fused op where it applies (bias, with no activation, ReLU or ELU), and registers
 * {@link CONV2D_BACKPROP_KERNEL}.
 */
export function registerFusedConv2D(): void {
  if (installed || !overrideKernel('FusedConv2D', fusedConv2D)) return;
  installed = true;
  tf.registerKernel({
    kernelName: CONV2D_BACKPROP_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: conv2DBackprop,
  });
}
