import * as tf from '@tensorflow/tfjs';
import { resolveLogs } from '../logs.js';
import type { Monitor } from '../monitor.js';
import {
  batchNormLayers,
  type RecalibrationData,
  recalibrateBatchNorm,
} from '../recalibrate-batch-norm.js';

/**
 * Steps per epoch below which the moving averages still hold more than 5% of statistics from
 * before the epoch (momentum^steps > 0.05): 298 at Keras' default momentum 0.99. Shorter epochs
 * are recalibrated before every validation; longer ones only before a best or final save.
 */
export function staleStepLimit(momentum: number): number {
  return momentum > 0 && momentum < 1 ? Math.ceil(Math.log(0.05) / Math.log(momentum)) : 0;
}

/** Options of {@link BatchNormRecalibration}. */
export interface BatchNormRecalibrationOptions {
  data: RecalibrationData;
  batchSize: number;
  /** Training steps per epoch, when known in advance. */
  batchesPerEpoch: number | undefined;
  /** True when the batch just trained was the epoch's last (for datasets of unknown length). */
  isLastBatch: () => boolean;
  epochs: number;
  monitor: Monitor;
  /** Brings the model's weights up to date first (a compiled step holds them in its session). */
  syncWeights?: () => void;
}

/**
 * Recalibrates the model's batch-norm statistics ({@link recalibrateBatchNorm}) inside `fit`:
 * after the last training step of each epoch, which tfjs runs before validation, when epochs
 * are short enough for the moving averages to lag ({@link staleStepLimit}); otherwise at the
 * end of an epoch whose monitored value improves or that ends training, so that whatever is
 * saved as best or final carries statistics of its own weights. Put it before the callbacks that
 * snapshot or save the model (EarlyStopping's best weights too), and {@link stopHook} after
 * those that may stop training.
 */
export class BatchNormRecalibration extends tf.Callback {
  /** Seconds spent recalibrating, and how many times. */
  seconds = 0;
  count = 0;
  private readonly options: BatchNormRecalibrationOptions;
  private readonly limit: number;
  private steps = 0;
  private doneThisEpoch = false;
  private best: number;

  constructor(model: tf.LayersModel, options: BatchNormRecalibrationOptions) {
    super();
    this.options = options;
    const momenta = batchNormLayers(model).map((l) => (l.getConfig().momentum as number) ?? 0.99);
    this.limit = Math.max(0, ...momenta.map(staleStepLimit));
    this.best = options.monitor.worst;
  }

  /** Whether this run recalibrates before every validation (short epochs). */
  get everyEpoch(): boolean {
    const steps = this.options.batchesPerEpoch ?? this.steps;
    return steps === 0 || steps < this.limit;
  }

  override async onEpochBegin(): Promise<void> {
    this.doneThisEpoch = false;
    this.steps = 0;
  }

  override async onBatchEnd(batch: number): Promise<void> {
    this.steps = batch + 1;
    const known = this.options.batchesPerEpoch;
    const last = known !== undefined ? batch === known - 1 : this.options.isLastBatch();
    if (last && this.steps < this.limit) await this.run();
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    if (this.doneThisEpoch) return;
    const value = (await resolveLogs(logs ?? {}))[this.options.monitor.key];
    const improves = value !== undefined && this.options.monitor.improves(value, this.best);
    if (improves) this.best = value;
    if (improves || epoch >= this.options.epochs - 1) await this.run();
  }

  /** A callback that recalibrates when a callback before it (EarlyStopping, ...) ends training. */
  stopHook(): tf.CustomCallback {
    return new tf.CustomCallback({
      onEpochEnd: async () => {
        if (!this.doneThisEpoch && this.stopping()) await this.run();
      },
    });
  }

  private stopping(): boolean {
    return (this.model as unknown as { stopTraining_?: boolean }).stopTraining_ === true;
  }

  private async run(): Promise<void> {
    const start = performance.now();
    this.options.syncWeights?.();
    await recalibrateBatchNorm(this.model, this.options.data, {
      batchSize: this.options.batchSize,
      // Endless datasets (arrayDataset) stop after one epoch's worth of batches.
      maxBatches: this.options.batchesPerEpoch,
    });
    this.seconds += (performance.now() - start) / 1000;
    this.count++;
    this.doneThisEpoch = true;
  }
}

/**
 * `dataset` with a one-batch lookahead, so that a callback can tell that the batch just trained
 * was the epoch's last: tfjs validates right after it, with no callback in between.
 */
export function withLastBatchFlag(dataset: tf.data.Dataset<tf.TensorContainer>): {
  dataset: tf.data.Dataset<tf.TensorContainer>;
  isLastBatch: () => boolean;
} {
  let last = false;
  async function* lookahead() {
    last = false;
    const iterator = await dataset.iterator();
    let current = await iterator.next();
    while (!current.done) {
      const next = await iterator.next();
      last = next.done === true;
      yield current.value;
      current = next;
    }
  }
  return {
    dataset: tf.data.generator(
      lookahead as unknown as () => Iterator<tf.TensorContainer>,
    ) as tf.data.Dataset<tf.TensorContainer>,
    isLastBatch: () => last,
  };
}
