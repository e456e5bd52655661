import * as tf from '@tensorflow/tfjs';
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  type BatchNormKernelAttrs,
  RANDOM_UNIFORM_KERNEL,
  type RandomUniformKernelAttrs,
} from '@unet/layers';
import { floatType, type NativeBackend, nativeBackend, requireNative } from './native-backend.js';
import { filterGradientWithBias, fusedConvOp, registerFusedConv2D } from './native-conv.js';
import { oneDnnPooling, registerMaxPool } from './native-max-pool.js';

/** TensorFlow's RandomUniform op, for @unet/layers' dropout. */
function registerRandomUniform(): void {
  if (tf.getKernel(RANDOM_UNIFORM_KERNEL, 'tensorflow')) return;
  tf.registerKernel({
    kernelName: RANDOM_UNIFORM_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ attrs }) => {
      const native = nativeBackend();
      if (!native) throw new Error(`${RANDOM_UNIFORM_KERNEL} needs the tensorflow backend`);
      const { shape, seed, seed2 } = attrs as unknown as RandomUniformKernelAttrs;
      const { binding } = native;
      const shapeTensor = tf.tensor1d(shape, 'int32');
      try {
        return native.executeSingleOutput(
          'RandomUniform',
          [
            { name: 'seed', type: binding.TF_ATTR_INT, value: seed },
            { name: 'seed2', type: binding.TF_ATTR_INT, value: seed2 },
            floatType(native, 'dtype'),
            { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
          ],
          [shapeTensor],
        ) as unknown as tf.TensorInfo;
      } finally {
        shapeTensor.dispose();
      }
    },
  });
}

function batchNormAttrs(native: NativeBackend, epsilon: number) {
  const { binding } = native;
  return [
    floatType(native, 'T'),
    floatType(native, 'U'),
    { name: 'epsilon', type: binding.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: binding.TF_ATTR_BOOL, value: true },
  ];
}

/** TensorFlow's FusedBatchNormV3 / FusedBatchNormGradV3, for @unet/layers' batch normalization. */
function registerBatchNorm(): void {
  if (tf.getKernel(BATCH_NORM_TRAINING_KERNEL, 'tensorflow')) return;
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs }) => {
      const native = requireNative(BATCH_NORM_TRAINING_KERNEL);
      const { x, scale, offset } = inputs as unknown as Record<string, tf.Tensor>;
      const { epsilon } = attrs as unknown as BatchNormKernelAttrs;
      const empty = tf.tensor1d([], 'float32');
      try {
        const [y, mean, unbiasedVariance, ...reserves] = native.executeMultipleOutputs(
          'FusedBatchNormV3',
          [
            ...batchNormAttrs(native, epsilon),
            { name: 'exponential_avg_factor', type: native.binding.TF_ATTR_FLOAT, value: 1 },
          ],
          [x!, scale!, offset!, empty, empty],
          6,
        );
        // TensorFlow reports the unbiased batch variance; tfjs's moving average uses the biased one.
        const n = x!.size / x!.shape[3]!;
        const variance = tf.mul(unbiasedVariance!, n > 1 ? (n - 1) / n : 1);
        unbiasedVariance!.dispose();
        return [y!, mean!, variance, ...reserves] as unknown as tf.TensorInfo[];
      } finally {
        empty.dispose();
      }
    },
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs }) => {
      const native = requireNative(BATCH_NORM_GRAD_KERNEL);
      const { dy, x, scale, reserve1, reserve2, reserve3 } = inputs as unknown as Record<
        string,
        tf.Tensor
      >;
      const { epsilon } = attrs as unknown as BatchNormKernelAttrs;
      const [dx, dScale, dOffset, ...unused] = native.executeMultipleOutputs(
        'FusedBatchNormGradV3',
        batchNormAttrs(native, epsilon),
        [dy!, x!, scale!, reserve1!, reserve2!, reserve3!],
        5,
      );
      for (const t of unused) t.dispose();
      return [dx!, dScale!, dOffset!] as unknown as tf.TensorInfo[];
    },
  });
}

let reluGradientInstalled = false;

/**
 * ReLU's gradient as TensorFlow's one ReluGrad op. tfjs computes it as `dy * step(x)`, and
 * tfjs-node's Step kernel runs six full-size ops (isNaN, greater, ones, fill, where, select):
 * a quarter of a U-Net training step. Other backends keep tfjs's formula.
 */
function registerReluGradient(): void {
  if (reluGradientInstalled) return;
  reluGradientInstalled = true;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const dyTensor = dy as tf.Tensor;
      return {
        x: () => {
          const native = nativeBackend();
          if (native && x.dtype === 'float32' && dyTensor.dtype === 'float32') {
            return native.executeSingleOutput('ReluGrad', [floatType(native)], [dyTensor, x]);
          }
          return tf.mul(dyTensor, tf.step(x).cast('float32'));
        },
      };
    },
  });
}

/**
 * Installs the native kernels this toolkit adds to tfjs-node: TensorFlow's RandomUniform for
 * dropout noise, ReluGrad for ReLU's gradient, FusedBatchNormV3 / FusedBatchNormGradV3 for
 * batch normalization in training, oneDNN's max pooling (forward and gradient), and TensorFlow's
 * fused convolution + bias + ReLU (forward, and the gradient @unet/layers' `NativeConv2D` uses;
 * the fused forward needs the binding built by `unet-setup-tensorflow`, see
 * {@link nativeKernelSupport}). `initBackend` calls it when it picks the
 * `tensorflow` backend; call it yourself if you set that backend another way. Safe to call twice.
 */
export function installNativeKernels(): void {
  registerRandomUniform();
  registerReluGradient();
  registerBatchNorm();
  registerMaxPool();
  registerFusedConv2D();
}

/** Which native paths {@link installNativeKernels} can use on the current backend. */
export interface NativeKernelSupport {
  /** The tensorflow backend is active (nothing below applies otherwise). */
  native: boolean;
  /** UNET_PATCH_LEVEL of tfjs-node's binding: 0 when it was not built by `unet-setup-tensorflow`. */
  bindingPatchLevel: number;
  /** The op behind FusedConv2D: '_MklNativeFusedConv2D' (oneDNN), '_FusedConv2D', or undefined (tfjs-node's three ops). */
  fusedConv2D: string | undefined;
  /** Filter and bias gradients in one oneDNN pass. */
  filterGradientWithBias: boolean;
  /** Max pooling and its gradient on oneDNN. */
  oneDnnMaxPool: boolean;
}

/**
 * Reports which native paths run here, e.g. to log next to a benchmark. Probes each op once on a
 * tiny input.
 */
export function nativeKernelSupport(): NativeKernelSupport {
  const native = nativeBackend();
  if (!native) {
    return {
      native: false,
      bindingPatchLevel: 0,
      fusedConv2D: undefined,
      filterGradientWithBias: false,
      oneDnnMaxPool: false,
    };
  }
  return {
    native: true,
    bindingPatchLevel: native.binding.UNET_PATCH_LEVEL ?? 0,
    fusedConv2D: fusedConvOp(native)?.op,
    filterGradientWithBias: filterGradientWithBias(native),
    oneDnnMaxPool: oneDnnPooling(native),
  };
}
