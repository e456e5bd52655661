import * as tf from '@tensorflow/tfjs';
import { RANDOM_UNIFORM_KERNEL, type RandomUniformKernelAttrs } from './kernel-contract.js';

// tfjs-layers does not export its Dropout class; take it from an instance.
const TfjsDropout = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })).constructor as {
  new (args: { rate: number; seed?: number; name?: string }): tf.layers.Layer;
};

interface DropoutState {
  rate: number;
  seed?: number;
}

/**
 * Keras `Dropout` with the same config, serialization (`className` 'Dropout') and inference
 * behaviour as tfjs's, whose training-time mask comes from {@link RANDOM_UNIFORM_KERNEL} when the
 * active backend has it. tfjs draws dropout noise value by value in JavaScript, which costs a
 * sixth of a U-Net training step on the native backend; TensorFlow's RandomUniform op does the
 * same work natively. Elsewhere it falls back to tfjs's own dropout.
 */
export class NativeDropout extends TfjsDropout {
  private calls = 0;

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: Record<string, unknown>,
  ): tf.Tensor | tf.Tensor[] {
    const { rate, seed } = this as unknown as DropoutState;
    const native = tf.getKernel(RANDOM_UNIFORM_KERNEL, tf.getBackend());
    if (!kwargs.training || rate <= 0 || rate >= 1) return super.call(inputs, kwargs);
    if (!native) {
      if (seed === undefined) return super.call(inputs, kwargs);
      // tfjs's Dropout passes its seed unchanged, which draws the same mask at every step.
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.tidy(() => tf.dropout(x, rate, undefined, `${seed}:${++this.calls}`));
    }
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const keep = 1 - rate;
      const attrs: RandomUniformKernelAttrs = {
        shape: x.shape,
        seed: seed ?? 0,
        seed2: seed ? ++this.calls : 0,
      };
      const noise = tf
        .engine()
        .runKernel(RANDOM_UNIFORM_KERNEL, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      // Same scaling as tf.dropout: kept values are divided by the keep probability.
      const mask = tf.less(noise, keep).cast('float32').div(keep);
      return x.mul(mask);
    });
  }
}

/** A dropout layer for U-Net blocks: tfjs's `Dropout`, with native noise where available. */
export function dropoutLayer(args: {
  rate: number;
  seed?: number;
  name?: string;
}): tf.layers.Layer {
  return new NativeDropout(args);
}
