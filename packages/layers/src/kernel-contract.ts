/**
 * The contract between the blocks of this package and a backend's native kernels: the names of
 * the optional kernels the layers look up with `tf.getKernel`, their inputs, attributes and
 * outputs. Without them (a browser, the cpu or wasm backend) every layer runs tfjs's own ops;
 * `@unet/runtime`'s `enableFastPaths` registers them for the native `tensorflow` backend.
 */

/**
 * Optional kernel: batch normalization in training mode over the last axis of an NHWC float32
 * tensor. Inputs `{ x, scale, offset }`, attrs {@link BatchNormKernelAttrs}; outputs
 * `[y, batchMean, biasedBatchVariance, reserve1, reserve2, reserve3]`, the reserves being whatever
 * {@link BATCH_NORM_GRAD_KERNEL} needs. `@unet/runtime`'s `enableFastPaths` registers it for the native
 * `tensorflow` backend (TensorFlow's FusedBatchNormV3).
 */
export const BATCH_NORM_TRAINING_KERNEL = 'UnetBatchNormTraining';

/**
 * Optional kernel: the gradient of {@link BATCH_NORM_TRAINING_KERNEL}. Inputs
 * `{ dy, x, scale, reserve1, reserve2, reserve3 }`, attrs {@link BatchNormKernelAttrs}; outputs
 * `[dx, dScale, dOffset]` (TensorFlow's FusedBatchNormGradV3 on the native backend).
 */
export const BATCH_NORM_GRAD_KERNEL = 'UnetBatchNormGrad';

/** Attributes of the batch-normalization kernels. */
export interface BatchNormKernelAttrs {
  epsilon: number;
}

/**
 * Optional kernel: the gradient of a 2D convolution with bias and a ReLU, ELU or no activation,
 * NHWC float32, dilation 1. Inputs `{ dy, x, filter, y }` (`y` the layer's output, from which the
 * activation's gradient is taken), attrs {@link Conv2DBackpropKernelAttrs}; outputs
 * `[dx, dFilter, dBias]`. `@unet/runtime`'s `enableFastPaths` registers it for the native `tensorflow`
 * backend (ReluGrad, Conv2DBackpropInput and oneDNN's filter-and-bias gradient).
 */
export const CONV2D_BACKPROP_KERNEL = 'UnetConv2DBackprop';

/** Attributes of {@link CONV2D_BACKPROP_KERNEL}. */
export interface Conv2DBackpropKernelAttrs {
  /** Strides of the convolution, `[height, width]`. */
  strides: [number, number];
  /** Padding of the convolution. */
  pad: 'same' | 'valid';
  /** The activation fused into the forward pass, whose gradient the kernel applies first. */
  activation: FusedActivation;
}

/** Activations the fused kernels take (TensorFlow's fused convolution and their gradients). */
export type FusedActivation = 'linear' | 'relu' | 'elu';

/**
 * Name of an optional kernel that fills a float32 tensor of `attrs.shape` with uniform [0, 1)
 * noise on the active backend. `@unet/runtime`'s `enableFastPaths` registers it for the native
 * `tensorflow` backend (TensorFlow's own RandomUniform op); any package may register it for
 * another backend with `tf.registerKernel`.
 */
export const RANDOM_UNIFORM_KERNEL = 'UnetRandomUniform';

/** Attributes of the {@link RANDOM_UNIFORM_KERNEL} kernel. */
export interface RandomUniformKernelAttrs {
  shape: number[];
  /** 0: a fresh random stream per call; otherwise a reproducible stream. */
  seed: number;
  /** Second seed, so that calls with the same `seed` differ. */
  seed2: number;
}
