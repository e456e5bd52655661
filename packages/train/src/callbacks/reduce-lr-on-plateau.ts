import * as tf from '@tensorflow/tfjs';
import { getLearningRate, setLearningRate } from '../learning-rate.js';
import { formatMetric, type RawLogs, resolveLogs } from '../logs.js';
import { Monitor, type MonitorMode } from '../monitor.js';
import {
  type CallbackState,
  defaultLog,
  type LogFn,
  type StatefulCallback,
  stateNumber,
} from './stateful.js';

/** Options of {@link ReduceLROnPlateau} (Keras' names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** Logged quantity to watch. Default `'val_loss'`. */
  monitor?: string;
  /** Multiply the learning rate by this (0 < factor < 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  /** `min`, `max` or `auto` (from the name). Default `'auto'`. */
  mode?: MonitorMode;
  /** Smallest absolute change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound of the learning rate. Default 0. */
  minLr?: number;
  /** Where messages go. Default stderr. */
  log?: LogFn;
}

/**
 * Multiplies the optimizer's learning rate by `factor` when the monitored quantity has not
 * improved for `patience` epochs, like `tf.keras.callbacks.ReduceLROnPlateau`. Changes the rate
 * of the model's own optimizer (`model.optimizer`) in place, and adds `lr` (the rate used during
 * the epoch) to the epoch logs so CSV logs and history show it.
 *
 * @example
 * ```ts
 * new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.1, patience: 5, minLr: 1e-7 })
 * ```
 */
export class ReduceLROnPlateau extends tf.Callback implements StatefulCallback {
  readonly stateKey: string = 'reduceLROnPlateau';
  readonly monitor: Monitor;
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  /** Epochs since the last improvement (not counted during cooldown). */
  wait = 0;
  /** Best value seen so far. */
  best: number;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  private resumed = false;
  private warnedMissing = false;
  private readonly log: LogFn;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    const factor = options.factor ?? 0.1;
    if (!(factor > 0 && factor < 1)) {
      throw new Error(
        `ReduceLROnPlateau: factor must be between 0 and 1 (exclusive), got ${factor}`,
      );
    }
    const patience = options.patience ?? 10;
    const cooldown = options.cooldown ?? 0;
    for (const [name, value] of [
      ['patience', patience],
      ['cooldown', cooldown],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new Error(`ReduceLROnPlateau: ${name} must be an integer >= 0, got ${value}`);
      }
    }
    const minLr = options.minLr ?? 0;
    if (!(minLr >= 0)) throw new Error(`ReduceLROnPlateau: minLr must be >= 0, got ${minLr}`);
    this.monitor = new Monitor(
      options.monitor ?? 'val_loss',
      options.mode,
      options.minDelta ?? 1e-4,
    );
    this.factor = factor;
    this.patience = patience;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.log = options.log ?? defaultLog;
    this.best = this.monitor.worst;
  }

  override async onTrainBegin(): Promise<void> {
    if (this.resumed) {
      this.resumed = false;
      return;
    }
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.monitor.worst;
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const logs = await resolveLogs(rawLogs);
    const optimizer = this.model.optimizer;
    const lr = getLearningRate(optimizer);
    if (rawLogs !== undefined) rawLogs.lr = lr;
    const current = logs[this.monitor.key];
    if (current === undefined) {
      if (!this.warnedMissing) {
        this.warnedMissing = true;
        this.log(
          `[unet] ReduceLROnPlateau: '${this.monitor.key}' is not in the logs (have: ${Object.keys(logs).join(', ')}); learning rate left alone`,
        );
      }
      return;
    }
    // Keras' order: the cooldown tick happens first, then the check (so the last cooldown epoch
    // already counts towards patience).
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.monitor.improves(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait += 1;
      if (this.wait >= this.patience && lr > this.minLr) {
        const next = Math.max(lr * this.factor, this.minLr);
        setLearningRate(optimizer, next);
        this.log(
          `[unet] epoch ${epoch + 1}: ${this.monitor.key} has not improved for ${this.wait} epochs ` +
            `(best ${formatMetric(this.best)}); reducing learning rate to ${next.toExponential(3)}`,
        );
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }

  getState(): CallbackState {
    return { wait: this.wait, best: this.best, cooldownCounter: this.cooldownCounter };
  }

  setState(state: CallbackState): void {
    this.wait = stateNumber(state, 'wait', 0);
    this.best = stateNumber(state, 'best', this.monitor.worst);
    this.cooldownCounter = stateNumber(state, 'cooldownCounter', 0);
    this.resumed = true;
  }
}
