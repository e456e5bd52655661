import * as tf from '@tensorflow/tfjs';
import { createRandom, shuffled } from './random.js';

/** Options of {@link arrayDataset}. */
export interface ArrayDatasetOptions {
  batchSize: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the order; the order of epoch `e` depends only on (seed, e). Default: random. */
  seed?: number;
  /** Epoch of the first batch produced (so a resumed run sees the same orders). Default 0. */
  startEpoch?: number;
}

/**
 * An endless dataset of `{xs, ys}` batches gathered from in-memory tensors, one epoch after the
 * other, each epoch a fresh permutation drawn from `(seed, epoch)`. Use with
 * `model.fitDataset(ds, { batchesPerEpoch: Math.ceil(n / batchSize), ... })`. The tensors
 * `x` and `y` stay owned by the caller; every batch is disposed by `fitDataset`.
 */
export function arrayDataset(
  x: tf.Tensor,
  y: tf.Tensor,
  options: ArrayDatasetOptions,
): tf.data.Dataset<tf.TensorContainer> {
  const n = x.shape[0]!;
  if (y.shape[0] !== n) {
    throw new Error(`x has ${n} samples but y has ${y.shape[0]}; they must match`);
  }
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const shuffle = options.shuffle ?? true;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const startEpoch = options.startEpoch ?? 0;
  function* batches(): Generator<tf.TensorContainer> {
    for (let epoch = startEpoch; ; epoch++) {
      // The same per-epoch stream as @unet/data's toTfDataset, so one seed means one order.
      const indices = Int32Array.from({ length: n }, (_, i) => i);
      const order = shuffle
        ? Int32Array.from(shuffled([...indices], createRandom(`${seed}:shuffle:${epoch}`)))
        : indices;
      for (let start = 0; start < n; start += batchSize) {
        const ids = order.subarray(start, Math.min(n, start + batchSize));
        yield tf.tidy(() => {
          const index = tf.tensor1d(ids, 'int32');
          return { xs: tf.gather(x, index), ys: tf.gather(y, index) };
        });
      }
    }
  }
  return tf.data.generator(batches);
}
