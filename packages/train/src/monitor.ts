import type { LogFn } from './callbacks/stateful.js';

/** Direction in which a monitored quantity improves. `auto` infers it from the name. */
export type MonitorMode = 'auto' | 'min' | 'max';

/** Names (or parts of names) of quantities that improve upwards, for `mode: 'auto'`. */
const HIGHER_IS_BETTER = /acc|dice|iou|jaccard|precision|recall|f1|fscore|auc|map|score/i;

/**
 * Tracks the best value of one monitored log entry (`val_loss`, `val_dice`, ...), with Keras'
 * semantics: in `min` mode a value improves on `best` when `value < best - minDelta`, in `max`
 * mode when `value > best + minDelta`. `auto` picks `max` for names that look like accuracy,
 * Dice, IoU, precision, recall, F1, AUC, mAP or score, else `min`.
 */
export class Monitor {
  /** Logged quantity that is watched. */
  readonly key: string;
  /** Resolved direction (`min` or `max`). */
  readonly mode: 'min' | 'max';
  /** Smallest change that counts as an improvement (absolute, >= 0). */
  readonly minDelta: number;

  constructor(key: string, mode: MonitorMode = 'auto', minDelta = 0) {
    if (!['auto', 'min', 'max'].includes(mode)) {
      throw new Error(`mode must be 'auto', 'min' or 'max', got '${mode}'`);
    }
    if (!(minDelta >= 0)) throw new Error(`minDelta must be >= 0, got ${minDelta}`);
    this.key = key;
    this.mode = mode === 'auto' ? inferMode(key) : mode;
    this.minDelta = minDelta;
  }

  /** The value every real value improves on: +Infinity (min) or -Infinity (max). */
  get worst(): number {
    return this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** True when `value` is an improvement over `reference`. NaN never improves. */
  improves(value: number, reference: number): boolean {
    if (Number.isNaN(value)) return false;
    return this.mode === 'min'
      ? value < reference - this.minDelta
      : value > reference + this.minDelta;
  }
}

/** `max` for names that look like a score to maximise, `min` otherwise (losses, errors). */
export function inferMode(key: string): 'min' | 'max' {
  const name = key.replace(/^val_/, '');
  return HIGHER_IS_BETTER.test(name) && !/loss/i.test(name) ? 'max' : 'min';
}

/** The options every callback that watches one logged quantity takes (Keras' names). */
export interface MonitorOptions {
  /** Logged quantity to watch. Default `'val_loss'`. */
  monitor?: string;
  /** `min`, `max` or `auto` (from the name). Default `'auto'`. */
  mode?: MonitorMode;
  /** Smallest absolute change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Where messages go. Default stderr. */
  log?: LogFn;
}
