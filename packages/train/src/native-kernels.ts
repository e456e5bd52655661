import * as tf from '@tensorflow/tfjs';
import { RANDOM_UNIFORM_KERNEL, type RandomUniformKernelAttrs } from '@unet/layers';

/** The part of tfjs-node's backend these kernels use: one TensorFlow eager op per call. */
interface NativeBackend {
  binding: { TF_ATTR_INT: number; TF_ATTR_TYPE: number; TF_FLOAT: number; TF_INT32: number };
  executeSingleOutput(
    name: string,
    attrs: { name: string; type: number; value: unknown }[],
    inputs: tf.Tensor[],
  ): tf.Tensor;
}

function nativeBackend(): NativeBackend | undefined {
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  return tf.getBackend() === 'tensorflow' && typeof backend.executeSingleOutput === 'function'
    ? (backend as NativeBackend)
    : undefined;
}

function floatType(native: NativeBackend, name = 'T') {
  return { name, type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
}

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
 * dropout noise and ReluGrad for ReLU's gradient. `initBackend` calls it when it picks the
 * `tensorflow` backend; call it yourself if you set that backend another way. Safe to call twice.
 */
export function installNativeKernels(): void {
  registerRandomUniform();
  registerReluGradient();
}
