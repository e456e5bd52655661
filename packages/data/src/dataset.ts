/**
 * Feeding samples to `model.fitDataset`: a `tf.data.Dataset` of `{ xs: [B, H, W, C],
 * ys: [B, H, W, 1] }` batches, shuffled and augmented per epoch from a seed, with prefetch so the
 * next batches are decoded/augmented while the current one trains.
 */
import * as tf from '@tensorflow/tfjs';
import { type AugmentOptions, augmentPair } from './augment.js';
import { DataFileError } from './errors.js';
import { warnOnStderr } from './load.js';
import { createRandom, shuffled } from './random.js';
import type { Sample, SampleRef } from './sample.js';

/** Options of {@link toTfDataset}. */
export interface TfDatasetOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Augment image and mask together (default false). `true` = flips + 90-degree rotations. */
  augment?: boolean | AugmentOptions;
  /** Seed of shuffling and augmentation (default 42); epoch `e` uses (seed, e). */
  seed?: number | string;
  /** Batches prepared ahead of the consumer (default 2). */
  prefetch?: number;
  /** Leave out the last batch when smaller than `batchSize` (default false). */
  dropRemainder?: boolean;
  /** For lazy {@link SampleRef}s: skip samples that fail to load, with a warning. */
  skipBadSamples?: boolean;
  /** Where warnings go (default: stderr). */
  onWarning?: (message: string) => void;
}

/**
 * A dataset whose epochs are seeded by their number (what {@link toTfDataset} returns).
 * `setEpoch(e)` makes the next iteration epoch `e`, with the order and augmentations an
 * uninterrupted run draws for it: `train` calls it when it resumes at epoch `e`.
 */
export interface EpochSeededDataset<T extends tf.TensorContainer> extends tf.data.Dataset<T> {
  setEpoch(epoch: number): void;
}

/** True when `dataset` is an {@link EpochSeededDataset}. */
export function isEpochSeeded<T extends tf.TensorContainer>(
  dataset: tf.data.Dataset<T>,
): dataset is EpochSeededDataset<T> {
  return typeof (dataset as Partial<EpochSeededDataset<T>>).setEpoch === 'function';
}

/** One training batch. */
export interface TfBatch extends tf.TensorContainerObject {
  /** Images, NHWC float32 in [0, 1]. */
  xs: tf.Tensor4D;
  /** Masks, NHW1 float32 in {0, 1}. */
  ys: tf.Tensor4D;
}

/**
 * Batch pixels kept in typed arrays until the consumer takes the batch, so the prefetch buffer
 * holds no tensors (nothing leaks if iteration stops early). Private fields keep tf.data from
 * walking the arrays as if they were tensor containers.
 */
class PendingBatch {
  readonly #xs: Float32Array;
  readonly #ys: Float32Array;
  readonly #shape: [number, number, number, number];

  constructor(xs: Float32Array, ys: Float32Array, shape: [number, number, number, number]) {
    this.#xs = xs;
    this.#ys = ys;
    this.#shape = shape;
  }

  toTensors(): TfBatch {
    const [b, h, w, c] = this.#shape;
    return { xs: tf.tensor4d(this.#xs, [b, h, w, c]), ys: tf.tensor4d(this.#ys, [b, h, w, 1]) };
  }
}

interface Shape {
  width: number;
  height: number;
  channels: number;
}

/**
 * Builds a `tf.data.Dataset` of `{ xs, ys }` batches for `model.fitDataset`. Accepts loaded
 * samples (all with masks and the same size) or lazy {@link SampleRef}s, which are then decoded
 * (or read from the cache) while training runs. Each call of `dataset.iterator()` (one epoch)
 * reshuffles with (seed, epoch) and draws fresh augmentations.
 *
 * The batches are owned by the consumer: `fitDataset` disposes them; in a manual loop call
 * `tf.dispose(batch)`.
 *
 * @example
 * ```ts
 * const { train, validation } = splitDataset(samples, { validation: 0.1, seed: 1 });
 * await model.fitDataset(toTfDataset(train, { batchSize: 8, augment: true }), {
 *   epochs: 20,
 *   validationData: toTfDataset(validation, { batchSize: 8, shuffle: false }),
 * });
 * ```
 */
export function toTfDataset(
  samples: readonly (Sample | SampleRef)[],
  options: TfDatasetOptions,
): EpochSeededDataset<TfBatch> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (samples.length === 0) throw new Error('toTfDataset: no samples (the dataset is empty)');
  const shuffle = options.shuffle ?? true;
  const augment = options.augment === true ? {} : options.augment || undefined;
  const seed = String(options.seed ?? 42);
  const prefetch = Math.max(1, Math.floor(options.prefetch ?? 2));
  const warn = options.onWarning ?? warnOnStderr;
  let shape: Shape | undefined;
  for (const item of samples) {
    if (!isRef(item)) shape = checkShape(item, shape);
  }
  let epoch = 0;

  async function* batches(): AsyncGenerator<PendingBatch> {
    const thisEpoch = epoch++;
    const indices = samples.map((_, i) => i);
    const order = shuffle
      ? shuffled(indices, createRandom(`${seed}:shuffle:${thisEpoch}`))
      : indices;
    for (let start = 0; start < order.length; start += batchSize) {
      const chosen = order.slice(start, start + batchSize);
      if (chosen.length < batchSize && options.dropRemainder) return;
      const loaded = await Promise.all(chosen.map((index) => loadOne(samples[index]!)));
      const pairs: Array<{ sample: Sample; index: number }> = [];
      loaded.forEach((sample, k) => {
        if (sample) pairs.push({ sample, index: chosen[k]! });
      });
      if (pairs.length === 0) continue;
      yield assemble(pairs, thisEpoch);
    }
  }

  async function loadOne(item: Sample | SampleRef): Promise<Sample | undefined> {
    if (!isRef(item)) return item;
    try {
      const sample = await item.load();
      shape = checkShape(sample, shape);
      return sample;
    } catch (error) {
      if (options.skipBadSamples && error instanceof DataFileError) {
        warn(`skipping sample "${item.id}": ${error.message}`);
        return undefined;
      }
      throw error;
    }
  }

  function assemble(
    pairs: Array<{ sample: Sample; index: number }>,
    thisEpoch: number,
  ): PendingBatch {
    const { width, height, channels } = shape!;
    const imageSize = width * height * channels;
    const maskSize = width * height;
    const xs = new Float32Array(pairs.length * imageSize);
    const ys = new Float32Array(pairs.length * maskSize);
    pairs.forEach(({ sample, index }, k) => {
      let image = sample.image;
      let mask = sample.mask!;
      if (augment) {
        const random = createRandom(`${seed}:augment:${thisEpoch}:${index}`);
        ({ image, mask } = augmentPair(image, mask, random, augment));
      }
      xs.set(image.data, k * imageSize);
      ys.set(mask.data, k * maskSize);
    });
    return new PendingBatch(xs, ys, [pairs.length, height, width, channels]);
  }

  const dataset = tf.data
    .generator(batches as unknown as () => AsyncIterator<tf.TensorContainer>)
    .prefetch(prefetch)
    .map((pending) => (pending as unknown as PendingBatch).toTensors());
  const batchCount = options.dropRemainder
    ? Math.floor(samples.length / batchSize)
    : Math.ceil(samples.length / batchSize);
  // tf.data cannot know the length of a generator; fitDataset uses it for progress and epochs.
  (dataset as { size: number }).size = batchCount;
  return Object.assign(dataset as tf.data.Dataset<TfBatch>, {
    setEpoch(next: number) {
      if (!Number.isInteger(next) || next < 0)
        throw new Error(`setEpoch: epoch must be a non-negative integer, got ${next}`);
      epoch = next;
    },
  });
}

function isRef(item: Sample | SampleRef): item is SampleRef {
  return typeof (item as SampleRef).load === 'function';
}

function checkShape(sample: Sample, expected: Shape | undefined): Shape {
  if (!sample.mask) {
    throw new Error(
      `sample "${sample.id}" (${sample.files[0] ?? 'no file'}) has no mask; training batches need masks`,
    );
  }
  const { width, height, channels } = sample.image;
  if (sample.mask.width !== width || sample.mask.height !== height || sample.mask.channels !== 1) {
    throw new Error(
      `sample "${sample.id}": mask is ${sample.mask.width}x${sample.mask.height}x${sample.mask.channels}, image is ${width}x${height} (mask needs 1 channel, same size)`,
    );
  }
  if (
    expected &&
    (expected.width !== width || expected.height !== height || expected.channels !== channels)
  ) {
    throw new Error(
      `sample "${sample.id}" is ${width}x${height}x${channels} but earlier samples are ${expected.width}x${expected.height}x${expected.channels}; load with a fixed \`size\` to batch images of different sizes`,
    );
  }
  return expected ?? { width, height, channels };
}
