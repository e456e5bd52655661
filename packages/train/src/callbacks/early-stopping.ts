import * as tf from '@tensorflow/tfjs';
import { formatMetric, type RawLogs, resolveLogs } from '../logs.js';
import { Monitor, type MonitorMode } from '../monitor.js';
import {
  type CallbackState,
  defaultLog,
  type LogFn,
  type StatefulCallback,
  stateNumber,
} from './stateful.js';

/** Options of {@link EarlyStopping} (Keras' names and defaults). */
export interface EarlyStoppingOptions {
  /** Logged quantity to watch. Default `'val_loss'`. */
  monitor?: string;
  /** `min`, `max` or `auto` (from the name). Default `'auto'`. */
  mode?: MonitorMode;
  /** Smallest absolute change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** Stop unless the monitored value beats this baseline (within `patience` epochs). */
  baseline?: number;
  /**
   * When stopping, put back the weights of the best epoch (at the end of training, after the
   * epoch's other callbacks ran). Default false.
   */
  restoreBestWeights?: boolean;
  /** Where messages go. Default stderr. */
  log?: LogFn;
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
export class EarlyStopping extends tf.Callback implements StatefulCallback {
  readonly stateKey: string = 'earlyStopping';
  /** The watched quantity and its direction. */
  readonly monitor: Monitor;
  readonly patience: number;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  /** Epochs since the last improvement. */
  wait = 0;
  /** Best value seen so far. */
  best: number;
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
  private resumed = false;
  private warnedMissing = false;
  private readonly log: LogFn;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    const patience = options.patience ?? 0;
    if (!Number.isInteger(patience) || patience < 0) {
      throw new Error(`EarlyStopping: patience must be an integer >= 0, got ${patience}`);
    }
    this.monitor = new Monitor(options.monitor ?? 'val_loss', options.mode, options.minDelta ?? 0);
    this.patience = patience;
    this.baseline = options.baseline;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.log = options.log ?? defaultLog;
    this.best = this.monitor.worst;
  }

  override async onTrainBegin(): Promise<void> {
    this.stoppedEpoch = -1;
    this.restoreMissedEpoch = null;
    if (this.resumed) {
      this.resumed = false;
      return;
    }
    this.wait = 0;
    this.best = this.monitor.worst;
    this.bestEpoch = -1;
    this.disposeBest();
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const logs = await resolveLogs(rawLogs);
    const current = logs[this.monitor.key];
    if (current === undefined) {
      if (!this.warnedMissing) {
        this.warnedMissing = true;
        this.log(
          `[unet] EarlyStopping: '${this.monitor.key}' is not in the logs (have: ${Object.keys(logs).join(', ')}); not stopping early`,
        );
      }
      return;
    }
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

  setState(state: CallbackState): void {
    this.wait = stateNumber(state, 'wait', 0);
    this.best = stateNumber(state, 'best', this.monitor.worst);
    this.bestEpoch = stateNumber(state, 'bestEpoch', -1);
    this.disposeBest();
    this.resumed = true;
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
