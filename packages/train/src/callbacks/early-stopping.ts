import * as tf from '@tensorflow/tfjs';
import { formatMetric, type RawLogs, resolveLogs } from '../logs.js';
import type { MonitorOptions } from '../monitor.js';
import { MonitoredCallback } from './monitored.js';
import { type CallbackState, stateNumber } from './stateful.js';

/** Options of {@link EarlyStopping} (Keras' names and defaults). */
export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** Stop unless the monitored value beats this baseline (within `patience` epochs). */
  baseline?: number;
  /**
   * When stopping, put back the weights of the best epoch (at the end of training, after the
   * epoch's other callbacks ran). Default false.
   */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when the monitored quantity has not improved for `patience` epochs, like
 * `tf.keras.callbacks.EarlyStopping`, with working `restoreBestWeights`. Works with plain
 * `model.fit`/`fitDataset` and with `train()` (whose resume restores its counters).
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.1,
 *   callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 5, restoreBestWeights: true })] });
 * ```
 */
export class EarlyStopping extends MonitoredCallback {
  readonly stateKey: string = 'earlyStopping';
  readonly patience: number;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Epoch (0-based) of the best value, or -1. */
  bestEpoch = -1;
  /** Epoch (0-based) at which training was stopped, or -1. */
  stoppedEpoch = -1;
  /**
   * Set when best weights should have been restored but were not in memory (they predate a
   * resume): the 0-based epoch whose weights are wanted. `train()` reloads them from its best
   * checkpoint when that holds this epoch.
   */
  restoreMissedEpoch: number | null = null;
  private bestWeights: tf.Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const patience = options.patience ?? 0;
    if (!Number.isInteger(patience) || patience < 0) {
      throw new Error(`EarlyStopping: patience must be an integer >= 0, got ${patience}`);
    }
    super('EarlyStopping', options);
    this.patience = patience;
    this.baseline = options.baseline;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    this.stoppedEpoch = -1;
    this.restoreMissedEpoch = null;
    await super.onTrainBegin();
  }

  protected reset(): void {
    this.wait = 0;
    this.bestEpoch = -1;
    this.disposeBest();
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const current = this.current(await resolveLogs(rawLogs), 'not stopping early');
    if (current === undefined) return;
    if (this.restoreBestWeights && this.bestWeights === null && this.bestEpoch < 0) {
      this.snapshot();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.monitor.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.snapshot();
      if (this.baseline === undefined || this.monitor.improves(current, this.baseline)) {
        this.wait = 0;
        return;
      }
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      this.log(
        `[unet] early stopping at epoch ${epoch + 1}: ${this.monitor.key} has not improved for ` +
          `${this.wait} epochs (best ${formatMetric(this.best)} at epoch ${this.bestEpoch + 1})`,
      );
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch >= 0 && this.restoreBestWeights) {
      if (this.bestWeights !== null) {
        this.model.setWeights(this.bestWeights);
        this.log(`[unet] restored the weights of epoch ${this.bestEpoch + 1}`);
      } else {
        this.restoreMissedEpoch = this.bestEpoch;
      }
    }
    this.disposeBest();
  }

  getState(): CallbackState {
    return {
      wait: this.wait,
      best: this.best,
      bestEpoch: this.bestEpoch,
      mode: this.monitor.mode,
      monitor: this.monitor.key,
    };
  }

  protected restore(state: CallbackState): void {
    this.wait = stateNumber(state, 'wait', 0);
    this.bestEpoch = stateNumber(state, 'bestEpoch', -1);
    this.disposeBest();
  }

  private snapshot(): void {
    this.disposeBest();
    this.bestWeights = tf.tidy(() => this.model.getWeights().map((w) => w.clone()));
  }

  private disposeBest(): void {
    if (this.bestWeights !== null) tf.dispose(this.bestWeights);
    this.bestWeights = null;
  }
}
