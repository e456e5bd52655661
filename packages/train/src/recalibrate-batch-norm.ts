import * as tf from '@tensorflow/tfjs';

/** Images to recalibrate on: NHWC tensors, or a dataset of `{ xs, ys }` batches or of tensors. */
export type RecalibrationData = tf.Tensor | tf.data.Dataset<tf.TensorContainer>;

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateBatchNormOptions {
  /** Batch size when `data` is a tensor. Default 8 (use the training batch size). */
  batchSize?: number;
  /** Stop after this many batches (needed for endless datasets). Default: the whole data. */
  maxBatches?: number;
}

/** What {@link recalibrateBatchNorm} did. */
export interface RecalibrationResult {
  /** Batch-normalization layers whose moving statistics were replaced. */
  layers: number;
  /** Batches and samples the statistics average over. */
  batches: number;
  samples: number;
}

interface BatchNormLike {
  axis: number;
  epsilon: number;
  gamma?: tf.LayerVariable | null;
  beta?: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

interface NodeLike {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

/** tfjs's BatchNormalization and @unet/layers' NativeBatchNormalization (same class name). */
export function isBatchNorm(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

/** The model's batch-normalization layers, including those of nested models. */
export function batchNormLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((layer) =>
    layer instanceof tf.LayersModel ? batchNormLayers(layer) : isBatchNorm(layer) ? [layer] : [],
  );
}

/** Per-channel sums over every batch: sum of n * mean, sum of n * variance, sum of n. */
class Accumulator {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  count = 0;
  constructor(channels: number) {
    this.mean = new Float64Array(channels);
    this.variance = new Float64Array(channels);
  }
  add(mean: Float32Array, variance: Float32Array, n: number): void {
    for (let c = 0; c < this.mean.length; c++) {
      this.mean[c]! += n * mean[c]!;
      this.variance[c]! += n * variance[c]!;
    }
    this.count += n;
  }
}

/**
 * The layer's training-mode pass, with its batch statistics handed to `accumulator` instead of
 * being folded into the moving averages. Biased variance (`tf.moments`), as the layer normalizes
 * with and as both tfjs's and the native kernel's moving-average updates use.
 */
function batchNormInTraining(layer: tf.layers.Layer, x: tf.Tensor, accumulator: Accumulator) {
  const state = layer as unknown as BatchNormLike;
  const axis = state.axis < 0 ? x.rank + state.axis : state.axis;
  const reduce = Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis);
  const { mean, variance } = tf.moments(x, reduce, true);
  accumulator.add(
    mean.dataSync() as Float32Array,
    variance.dataSync() as Float32Array,
    x.size / x.shape[axis]!,
  );
  const shape = x.shape.map((d, i) => (i === axis ? d : 1));
  const gamma = state.gamma ? state.gamma.read().reshape(shape) : undefined;
  const beta = state.beta ? state.beta.read().reshape(shape) : undefined;
  return tf.batchNorm(x, mean, variance, beta, gamma, state.epsilon);
}

/**
 * Runs one batch through the functional model layer by layer: batch norm in training mode (batch
 * statistics, recorded), every other layer as at inference. Dropout is therefore off: the
 * recalibrated statistics are those of the activations the layers will see at inference, not
 * of dropout-scaled ones. Intermediate tensors are freed after their last consumer.
 */
function forwardBatch(
  model: tf.LayersModel,
  xs: tf.Tensor[],
  accumulators: Map<tf.layers.Layer, Accumulator>,
): void {
  const values = new Map<number, tf.Tensor>();
  for (const [i, input] of model.inputs.entries()) values.set(input.id, xs[i]!);
  const steps: { layer: tf.layers.Layer; node: NodeLike }[] = [];
  const known = new Set(model.inputs.map((t) => t.id));
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer instanceof tf.LayersModel && batchNormLayers(layer).length > 0) {
      throw new Error(
        `recalibrateBatchNorm: nested model '${layer.name}' has batch norm; flatten the model`,
      );
    }
    // The node of this model: the one whose inputs are already computed (layers may be shared).
    const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
    const node = nodes.find((n) => n.inputTensors.every((t) => known.has(t.id)));
    if (!node) throw new Error(`recalibrateBatchNorm: cannot order layer '${layer.name}'`);
    for (const t of node.outputTensors) known.add(t.id);
    steps.push({ layer, node });
  }
  const uses = new Map<number, number>();
  for (const { node } of steps)
    for (const t of node.inputTensors) uses.set(t.id, (uses.get(t.id) ?? 0) + 1);
  const inputIds = new Set(model.inputs.map((t) => t.id));
  try {
    for (const { layer, node } of steps) {
      const ins = node.inputTensors.map((t) => values.get(t.id)!);
      const accumulator = accumulators.get(layer);
      const outs = tf.tidy(() => {
        const out = accumulator
          ? batchNormInTraining(layer, ins[0]!, accumulator)
          : layer.apply(ins.length === 1 ? ins[0]! : ins, { training: false });
        return (Array.isArray(out) ? out : [out]) as tf.Tensor[];
      });
      for (const [i, t] of node.outputTensors.entries()) values.set(t.id, outs[i]!);
      for (const t of node.inputTensors) {
        const left = uses.get(t.id)! - 1;
        uses.set(t.id, left);
        if (left === 0 && !inputIds.has(t.id)) {
          values.get(t.id)!.dispose();
          values.delete(t.id);
        }
      }
    }
  } finally {
    for (const [id, tensor] of values) if (!inputIds.has(id)) tensor.dispose();
  }
}

function tensorsIn(value: tf.TensorContainer): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value as Record<string, tf.TensorContainer>).flatMap(tensorsIn);
}

async function* batchesOf(
  data: RecalibrationData,
  batchSize: number,
): AsyncGenerator<{ xs: tf.Tensor[]; owned: tf.Tensor[] }> {
  if (data instanceof tf.Tensor) {
    for (let start = 0; start < data.shape[0]!; start += batchSize) {
      const batch = data.slice(start, Math.min(batchSize, data.shape[0]! - start));
      yield { xs: [batch], owned: [batch] };
    }
    return;
  }
  const iterator = await data.iterator();
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    const value = next.value as tf.TensorContainer;
    const owned = tensorsIn(value);
    const xs =
      value instanceof tf.Tensor ? value : ((value as { xs?: tf.TensorContainer }).xs ?? value);
    const inputs =
      xs instanceof tf.Tensor
        ? [xs]
        : Array.isArray(xs)
          ? (xs as tf.Tensor[])
          : Object.values(xs as Record<string, tf.Tensor>);
    yield { xs: inputs, owned };
  }
}

/**
 * Replaces the moving mean and variance of every batch-normalization layer of `model` by the
 * average of its batch statistics over one pass of `data`, as PyTorch's
 * `torch.optim.swa_utils.update_bn` does: an exact cumulative average (each batch weighted by its
 * number of values per channel) rather than the momentum average training keeps, which after a
 * few dozen steps at momentum 0.99 still remembers weights from epochs ago.
 *
 * Batch norm runs in training mode (each batch normalized by its own statistics, as in a
 * training step); the mean is then the exact mean of the layer's inputs over the data, the
 * variance the mean of the per-batch biased variances (what the layer's moving average
 * estimates; it leaves out the spread of the batch means, as training does). Other layers run as
 * at inference (no dropout). No other weight changes, and nothing is trained.
 *
 * @param data - training images (NHWC, split into `batchSize` batches) or a dataset of `{ xs }`
 *   batches; pass unaugmented images when augmentation changes intensities.
 * @returns counts of layers, batches and samples; `layers: 0` (and no pass) without batch norm.
 */
export async function recalibrateBatchNorm(
  model: tf.LayersModel,
  data: RecalibrationData,
  options: RecalibrateBatchNormOptions = {},
): Promise<RecalibrationResult> {
  const layers = model.layers.filter(isBatchNorm);
  if (batchNormLayers(model).length === 0) return { layers: 0, batches: 0, samples: 0 };
  const batchSize = options.batchSize ?? 8;
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  const accumulators = new Map<tf.layers.Layer, Accumulator>();
  for (const layer of layers) {
    accumulators.set(
      layer,
      new Accumulator((layer as unknown as BatchNormLike).movingMean.shape[0]!),
    );
  }
  let batches = 0;
  let samples = 0;
  for await (const { xs, owned } of batchesOf(data, batchSize)) {
    try {
      forwardBatch(model, xs, accumulators);
      batches++;
      samples += xs[0]!.shape[0]!;
    } finally {
      tf.dispose(owned);
    }
    if (batches >= maxBatches) break;
  }
  if (batches === 0) throw new Error('recalibrateBatchNorm: the data has no batches');
  for (const [layer, acc] of accumulators) {
    const state = layer as unknown as BatchNormLike;
    const mean = acc.mean.map((s) => s / acc.count);
    const variance = acc.variance.map((s) => s / acc.count);
    tf.tidy(() => {
      state.movingMean.write(tf.tensor1d(Float32Array.from(mean)));
      state.movingVariance.write(tf.tensor1d(Float32Array.from(variance)));
    });
  }
  return { layers: layers.length, batches, samples };
}
