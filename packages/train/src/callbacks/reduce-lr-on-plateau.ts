import { getLearningRate, setLearningRate } from '../learning-rate.js';
import { formatMetric, type RawLogs, resolveLogs } from '../logs.js';
import type { MonitorOptions } from '../monitor.js';
import { MonitoredCallback } from './monitored.js';
import { type CallbackState, stateNumber } from './stateful.js';

/** Options of {@link ReduceLROnPlateau} (Keras' names and defaults). */
export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** Multiply the learning rate by this (0 < factor < 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  /** Smallest absolute change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound of the learning rate. Default 0. */
  minLr?: number;
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
export class ReduceLROnPlateau extends MonitoredCallback {
  readonly stateKey: string = 'reduceLROnPlateau';
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  /** Epochs since the last improvement (not counted during cooldown). */
  wait = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
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
    super('ReduceLROnPlateau', options, 1e-4);
    this.factor = factor;
    this.patience = patience;
    this.cooldown = cooldown;
    this.minLr = minLr;
  }

  protected reset(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const logs = await resolveLogs(rawLogs);
    const optimizer = this.model.optimizer;
    const lr = getLearningRate(optimizer);
    if (rawLogs !== undefined) rawLogs.lr = lr;
    const current = this.current(logs, 'learning rate left alone');
    if (current === undefined) return;
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

  protected restore(state: CallbackState): void {
    this.wait = stateNumber(state, 'wait', 0);
    this.cooldownCounter = stateNumber(state, 'cooldownCounter', 0);
  }
}
