import * as tf from '@tensorflow/tfjs';
import { formatDuration, isCI, progressBarText } from '@unet/data';
import {
  formatMetric,
  NON_METRIC_KEYS,
  type NumericLogs,
  type RawLogs,
  resolveLogs,
} from '../logs.js';

/**
 * How {@link ProgressBar} reports: `bar` redraws one line per batch (ETA, metrics), `epoch`
 * prints one line per epoch, `silent` prints nothing, `auto` = `bar` on an interactive terminal
 * and `epoch` otherwise (CI logs, pipes, files).
 */
export type ProgressMode = 'auto' | 'bar' | 'epoch' | 'silent';

/** The part of a stream {@link ProgressBar} needs (process.stderr fits). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Default `auto`. */
  mode?: ProgressMode;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Minimum time between redraws of the bar, ms. Default 100. */
  intervalMs?: number;
  /** Clock in ms (for tests). Default `performance.now`. */
  now?: () => number;
}

/** Training metrics first (loss leading), then validation metrics, then the learning rate. */
function metricOrder(key: string): number {
  if (key === 'lr') return 3;
  if (key.startsWith('val_')) return key === 'val_loss' ? 1 : 2;
  return key === 'loss' ? -1 : 0;
}

function metricsText(logs: NumericLogs): string {
  return Object.entries(logs)
    .filter(([k]) => !NON_METRIC_KEYS.has(k))
    .sort(([a], [b]) => metricOrder(a) - metricOrder(b))
    .map(([k, v]) => `${k} ${k === 'lr' ? v.toExponential(2) : formatMetric(v)}`)
    .join('  ');
}

/**
 * Terminal progress for `fit`/`fitDataset`/`train()` on stderr: on a TTY a bar with batch count,
 * ETA and running metrics (redrawn at most every `intervalMs`); in CI or when piped one line per
 * epoch. Batches per epoch come from the fit parameters or, for datasets of unknown length,
 * from the previous epoch (the first epoch then shows a count without ETA).
 */
export class ProgressBar extends tf.Callback {
  readonly mode: Exclude<ProgressMode, 'auto'>;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private totalEpochs = 0;
  private stepsPerEpoch: number | null = null;
  private epochStart = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private batches = 0;
  private drawn = false;
  private epochIndex = 0;

  constructor(options: ProgressBarOptions = {}) {
    super();
    this.stream = options.stream ?? process.stderr;
    const mode = options.mode ?? 'auto';
    if (!['auto', 'bar', 'epoch', 'silent'].includes(mode)) {
      throw new Error(`ProgressBar: mode must be auto, bar, epoch or silent, got '${mode}'`);
    }
    this.mode = mode === 'auto' ? (this.stream.isTTY && !isCI() ? 'bar' : 'epoch') : mode;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  override async onTrainBegin(): Promise<void> {
    const p = this.params as Record<string, unknown>;
    this.totalEpochs = Number(p.epochs) || 0;
    const steps = Number(p.steps);
    const samples = Number(p.samples);
    const batchSize = Number(p.batchSize);
    this.stepsPerEpoch =
      steps > 0 ? steps : samples > 0 && batchSize > 0 ? Math.ceil(samples / batchSize) : null;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epochIndex = epoch;
    this.epochStart = this.now();
    this.lastDraw = Number.NEGATIVE_INFINITY;
    this.batches = 0;
  }

  override async onBatchEnd(batch: number, rawLogs?: RawLogs): Promise<void> {
    this.batches = batch + 1;
    if (this.mode !== 'bar') return;
    const t = this.now();
    if (t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    const logs = await resolveLogs(rawLogs);
    this.draw(this.barLine(t, logs));
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    if (this.stepsPerEpoch === null && this.batches > 0) this.stepsPerEpoch = this.batches;
    if (this.mode === 'silent') return;
    const logs = await resolveLogs(rawLogs);
    const seconds = (this.now() - this.epochStart) / 1000;
    const line = `epoch ${epoch + 1}/${this.totalEpochs}  ${this.batches} batches  ${seconds.toFixed(1)}s  ${metricsText(logs)}`;
    if (this.mode === 'bar') this.draw(line, true);
    else this.stream.write(`${line}\n`);
  }

  override async onTrainEnd(): Promise<void> {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** The bar line for the current batch (exposed for tests). */
  barLine(t: number, logs: NumericLogs): string {
    const total = this.stepsPerEpoch;
    const done = this.batches;
    const elapsed = (t - this.epochStart) / 1000;
    const epoch = `epoch ${this.currentEpochLabel()}`;
    const metrics = metricsText(logs);
    if (total === null) return `${epoch}  ${done} batches  ${formatDuration(elapsed)}  ${metrics}`;
    const bar = progressBarText(done, total);
    const eta = done > 0 ? (elapsed / done) * Math.max(0, total - done) : Number.NaN;
    return `${epoch} ${bar} ${done}/${total}  ETA ${formatDuration(eta)}  ${metrics}`;
  }

  private currentEpochLabel(): string {
    return `${this.epochIndex + 1}/${this.totalEpochs}`;
  }

  private draw(line: string, final = false): void {
    const columns = this.stream.columns ?? 120;
    const text = line.length > columns - 1 ? line.slice(0, columns - 1) : line;
    this.stream.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    this.drawn = !final;
  }
}
