import * as tf from '@tensorflow/tfjs';
import { Monitor, type MonitorOptions } from '../monitor.js';
import {
  type CallbackState,
  defaultLog,
  type LogFn,
  type StatefulCallback,
  stateNumber,
} from './stateful.js';

/**
 * What EarlyStopping, ReduceLROnPlateau and ModelCheckpoint share: the watched quantity and its
 * best value, a log that warns once when the quantity is missing, and counters that `setState()`
 * restores on resume instead of `onTrainBegin()` clearing them.
 */
export abstract class MonitoredCallback extends tf.Callback implements StatefulCallback {
  abstract readonly stateKey: string;
  /** The watched quantity and its direction. */
  readonly monitor: Monitor;
  /** Best value seen so far. */
  best: number;
  protected readonly log: LogFn;
  private resumed = false;
  private warnedMissing = false;

  constructor(
    private readonly owner: string,
    options: MonitorOptions,
    defaultMinDelta = 0,
  ) {
    super();
    const minDelta = options.minDelta ?? defaultMinDelta;
    this.monitor = new Monitor(options.monitor ?? 'val_loss', options.mode, minDelta);
    this.log = options.log ?? defaultLog;
    this.best = this.monitor.worst;
  }

  /** Clears the subclass's counters at the start of a fresh (not resumed) run. */
  protected abstract reset(): void;

  /** Restores the subclass's counters from saved state. */
  protected abstract restore(state: CallbackState): void;

  abstract getState(): CallbackState;

  override async onTrainBegin(): Promise<void> {
    if (this.resumed) {
      this.resumed = false;
      return;
    }
    this.best = this.monitor.worst;
    this.reset();
  }

  /** The watched value of `logs`; undefined when missing, said once with its `consequence`. */
  protected current(logs: Record<string, number>, consequence: string): number | undefined {
    const value = logs[this.monitor.key];
    if (value === undefined && !this.warnedMissing) {
      this.warnedMissing = true;
      const have = Object.keys(logs).join(', ');
      this.log(
        `[unet] ${this.owner}: '${this.monitor.key}' is not in the logs (have: ${have}); ${consequence}`,
      );
    }
    return value;
  }

  setState(state: CallbackState): void {
    this.best = stateNumber(state, 'best', this.monitor.worst);
    this.restore(state);
    this.resumed = true;
  }
}
