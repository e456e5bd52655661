import * as tf from '@tensorflow/tfjs';
import {
  CONV2D_BACKPROP_KERNEL,
  type Conv2DBackpropKernelAttrs,
  type FusedActivation,
} from './kernel-contract.js';

// tfjs-layers does not export its Conv2D class; take it from an instance.
type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
const TfjsConv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 }))
  .constructor as { new (args: Conv2DArgs): tf.layers.Layer };

interface Conv2DState {
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string };
  kernel: tf.LayerVariable;
  bias?: tf.LayerVariable;
}

function fusableActivation(state: Conv2DState): FusedActivation | undefined {
  const name = state.activation.getClassName().toLowerCase();
  return name === 'linear' || name === 'relu' || name === 'elu' ? name : undefined;
}

function unitDilation(rate: number | number[]): boolean {
  return (Array.isArray(rate) ? rate : [rate]).every((r) => r === 1);
}

/**
 * Keras `Conv2D` with tfjs's config, serialization (`className` 'Conv2D') and inference path,
 * whose training pass is one fused forward kernel (convolution + bias + ReLU or ELU: tfjs's
 * `FusedConv2D`) and one backward kernel ({@link CONV2D_BACKPROP_KERNEL}) where the backend has
 * the latter. Under a gradient tape tfjs splits such a convolution into conv, bias add and
 * activation, three full-size passes and tensors per layer; TensorFlow fuses them, as Keras does.
 */
export class NativeConv2D extends TfjsConv2D {
  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: Record<string, unknown>,
  ): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const state = this as unknown as Conv2DState;
    const activation = fusableActivation(state);
    const usable =
      kwargs.training === true &&
      activation !== undefined &&
      state.bias !== undefined &&
      x.rank === 4 &&
      x.dtype === 'float32' &&
      state.dataFormat === 'channelsLast' &&
      unitDilation(state.dilationRate) &&
      (state.padding === 'same' || state.padding === 'valid') &&
      !!tf.getKernel(CONV2D_BACKPROP_KERNEL, tf.getBackend());
    if (!usable) return super.call(inputs, kwargs);
    const attrs: Conv2DBackpropKernelAttrs = {
      strides: [state.strides[0]!, state.strides[1]!],
      pad: state.padding as 'same' | 'valid',
      activation,
    };
    return tf.tidy(() => {
      const convolve = tf.customGrad((input, filter, bias, save) => {
        const y = tf.engine().runKernel(
          'FusedConv2D',
          { x: input, filter, bias } as tf.NamedTensorMap,
          {
            strides: attrs.strides,
            pad: attrs.pad,
            dataFormat: 'NHWC',
            dilations: [1, 1],
            activation,
          } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor;
        (save as (tensors: tf.Tensor[]) => void)([input as tf.Tensor, filter as tf.Tensor, y]);
        return {
          value: y,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [sx, sFilter, sy] = saved;
            return tf
              .engine()
              .runKernel(
                CONV2D_BACKPROP_KERNEL,
                { dy, x: sx!, filter: sFilter!, y: sy! },
                attrs as unknown as tf.NamedAttrMap,
              ) as tf.Tensor[];
          },
        };
      });
      return convolve(x, state.kernel.read(), state.bias!.read());
    });
  }
}

/** A 2D convolution layer for U-Net blocks: tfjs's `conv2d`, fused in training where possible. */
export function conv2dLayer(args: Conv2DArgs): tf.layers.Layer {
  return new NativeConv2D(args);
}
