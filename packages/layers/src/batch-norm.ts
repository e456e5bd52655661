import * as tf from '@tensorflow/tfjs';
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  type BatchNormKernelAttrs,
} from './kernel-contract.js';

// tfjs-layers does not export its BatchNormalization class; take it from an instance.
const TfjsBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({}))
  .constructor as {
  new (args?: Record<string, unknown>): tf.layers.Layer;
};

interface BatchNormState {
  axis: number;
  epsilon: number;
  momentum: number;
  scale: boolean;
  center: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

function hasNativeKernels(): boolean {
  const backend = tf.getBackend();
  return (
    !!tf.getKernel(BATCH_NORM_TRAINING_KERNEL, backend) &&
    !!tf.getKernel(BATCH_NORM_GRAD_KERNEL, backend)
  );
}

/** `variable -= (variable - value) * (1 - momentum)`, as tfjs's BatchNormalization does. */
function movingAverage(variable: tf.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

/**
 * Keras `BatchNormalization` with tfjs's config, serialization (`className`
 * 'BatchNormalization'), inference path and moving-average rule, whose training-mode forward
 * and backward pass are one kernel each where the backend has them
 * ({@link BATCH_NORM_TRAINING_KERNEL}, {@link BATCH_NORM_GRAD_KERNEL}). tfjs builds the training
 * path from moments and a dozen elementwise ops whose gradients cost half of a U-Net training
 * step on the native backend; TensorFlow's fused kernels do the same work in two ops.
 */
export class NativeBatchNormalization extends TfjsBatchNormalization {
  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: Record<string, unknown>,
  ): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const state = this as unknown as BatchNormState;
    const lastAxis = state.axis === -1 || state.axis === x.rank - 1;
    const usable =
      kwargs.training === true &&
      x.rank === 4 &&
      lastAxis &&
      state.scale &&
      state.center &&
      x.dtype === 'float32';
    if (!usable || !hasNativeKernels()) return super.call(inputs, kwargs);
    const attrs: BatchNormKernelAttrs = { epsilon: state.epsilon };
    const kernelAttrs = attrs as unknown as tf.NamedAttrMap;
    return tf.tidy(() => {
      const normalize = tf.customGrad((input, scale, offset, save) => {
        const [y, mean, variance, ...reserves] = tf
          .engine()
          .runKernel(
            BATCH_NORM_TRAINING_KERNEL,
            { x: input, scale, offset } as tf.NamedTensorMap,
            kernelAttrs,
          ) as tf.Tensor[];
        (save as (tensors: tf.Tensor[]) => void)([
          input as tf.Tensor,
          scale as tf.Tensor,
          ...reserves,
        ]);
        movingAverage(state.movingMean, mean!, state.momentum);
        movingAverage(state.movingVariance, variance!, state.momentum);
        return {
          value: y!,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [sx, sScale, r1, r2, r3] = saved;
            const grads = tf
              .engine()
              .runKernel(
                BATCH_NORM_GRAD_KERNEL,
                { dy, x: sx!, scale: sScale!, reserve1: r1!, reserve2: r2!, reserve3: r3! },
                kernelAttrs,
              ) as tf.Tensor[];
            return grads.slice(0, 3);
          },
        };
      });
      return normalize(x, state.gamma.read(), state.beta.read());
    });
  }
}

/** A batch-normalization layer for U-Net blocks: tfjs's, with fused native kernels where available. */
export function batchNormalizationLayer(args: { name?: string } = {}): tf.layers.Layer {
  return new NativeBatchNormalization(args);
}
