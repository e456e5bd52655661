import * as tf from '@tensorflow/tfjs';
import { type RawLogs, resolveLogs } from '../logs.js';
import { defaultLog, type LogFn } from './stateful.js';

/** Where a {@link NanGuard} saw the loss go bad. */
export interface NonFiniteLoss {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based batch within the epoch; null when found in the epoch logs (e.g. `val_loss`). */
  batch: number | null;
  /** The log entry (`loss` or `val_loss`). */
  key: string;
  value: number;
}

/** Options of {@link NanGuard}. */
export interface NanGuardOptions {
  /** Where the message goes. Default stderr. */
  log?: LogFn;
}

/**
 * Stops training as soon as the loss of a batch (or the epoch's `val_loss`) is NaN or infinite,
 * like `tf.keras.callbacks.TerminateOnNaN`, and says so. Checkpoint callbacks of this package
 * never save an epoch whose loss is not finite, so the last good checkpoint survives.
 */
export class NanGuard extends tf.Callback {
  /** Set once the loss went bad. */
  tripped: NonFiniteLoss | null = null;
  private epoch = 0;
  private readonly log: LogFn;

  constructor(options: NanGuardOptions = {}) {
    super();
    this.log = options.log ?? defaultLog;
  }

  override async onTrainBegin(): Promise<void> {
    this.tripped = null;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchEnd(batch: number, rawLogs?: RawLogs): Promise<void> {
    if (this.tripped !== null || rawLogs?.loss === undefined) return;
    const logs = await resolveLogs(rawLogs);
    this.check(batch, 'loss', logs.loss!);
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    if (this.tripped !== null) return;
    const logs = await resolveLogs(rawLogs);
    this.epoch = epoch;
    for (const key of ['loss', 'val_loss']) {
      if (logs[key] !== undefined && this.check(null, key, logs[key])) return;
    }
  }

  /** Human-readable description of what went wrong (empty before it happened). */
  get message(): string {
    const t = this.tripped;
    if (t === null) return '';
    const where =
      t.batch === null ? `epoch ${t.epoch + 1}` : `epoch ${t.epoch + 1}, batch ${t.batch + 1}`;
    return (
      `${t.key} is ${t.value} at ${where}: training stopped. The weights are no longer usable. ` +
      'Try a lower learning rate, check the data for NaN/infinite values or empty masks, or use a ' +
      'numerically stable loss (e.g. clip predictions away from 0 and 1).'
    );
  }

  private check(batch: number | null, key: string, value: number): boolean {
    if (Number.isFinite(value)) return false;
    this.tripped = { epoch: this.epoch, batch, key, value };
    this.model.stopTraining = true;
    this.log(`[unet] ${this.message}`);
    return true;
  }
}
