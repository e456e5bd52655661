import { writeCheckpointDir } from '../checkpoint-store.js';
import { formatMetric, lossesAreFinite, type RawLogs, resolveLogs } from '../logs.js';
import { CHECKPOINT_FILES, modelFiles } from '../model-io.js';
import type { MonitorOptions } from '../monitor.js';
import { encodeStateJson } from '../training-state.js';
import { MonitoredCallback } from './monitored.js';
import { type CallbackState, stateNumber } from './stateful.js';

/** Options of {@link ModelCheckpoint}; `monitor` is the quantity that decides what is best. */
export interface ModelCheckpointOptions extends MonitorOptions {
  /** Folder to write (`model.json`, `weights.bin`, `state.json`); replaced atomically. */
  dir: string;
  /** Only write when the monitored quantity improved (else every epoch). Default true. */
  saveBestOnly?: boolean;
  /** Print a line for every save. Default false. */
  verbose?: boolean;
}

/** What {@link ModelCheckpoint} writes into `state.json` next to the model. */
export interface CheckpointInfo {
  /** 0-based epoch whose weights these are. */
  epoch: number;
  monitor: string;
  mode: 'min' | 'max';
  /** Value of the monitored quantity at that epoch (undefined when not logged). */
  score: number | null;
  /** All epoch logs of that epoch. */
  logs: Record<string, number>;
  savedAt: string;
}

/**
 * Saves the model (topology + weights, the standard tfjs layers format) into `dir` whenever the
 * monitored quantity improves, like `tf.keras.callbacks.ModelCheckpoint(save_best_only=True)`.
 * Writes are atomic: a run killed mid-write leaves the previous best loadable. Epochs whose loss
 * is NaN or infinite are never saved. Load the result with `loadModel(dir)` (or
 * `tf.loadLayersModel('file://<dir>/model.json')` with tfjs-node).
 */
export class ModelCheckpoint extends MonitoredCallback {
  readonly stateKey: string = 'modelCheckpoint';
  readonly dir: string;
  readonly saveBestOnly: boolean;
  /** 0-based epoch of the last save, or -1. */
  lastSavedEpoch = -1;
  private readonly verbose: boolean;

  constructor(options: ModelCheckpointOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '') {
      throw new Error('ModelCheckpoint: `dir` (the folder to write the model into) is required');
    }
    super('ModelCheckpoint', options);
    this.dir = options.dir;
    this.saveBestOnly = options.saveBestOnly ?? true;
    this.verbose = options.verbose ?? false;
  }

  protected reset(): void {
    this.lastSavedEpoch = -1;
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const logs = await resolveLogs(rawLogs);
    if (!lossesAreFinite(logs, this.monitor.key)) return;
    if (!this.saveBestOnly) return this.save(epoch, logs, logs[this.monitor.key]);
    const current = this.current(logs, 'nothing saved');
    if (current === undefined || !this.monitor.improves(current, this.best)) return;
    this.best = current;
    await this.save(epoch, logs, current);
  }

  private async save(epoch: number, logs: Record<string, number>, score?: number): Promise<void> {
    const info: CheckpointInfo = {
      epoch,
      monitor: this.monitor.key,
      mode: this.monitor.mode,
      score: score ?? null,
      logs: { ...logs },
      savedAt: new Date().toISOString(),
    };
    const files = await modelFiles(this.model);
    files.push({ name: CHECKPOINT_FILES.state, data: encodeStateJson(info) });
    await writeCheckpointDir(this.dir, files);
    this.lastSavedEpoch = epoch;
    if (this.verbose) {
      const what = score === undefined ? '' : ` (${this.monitor.key} ${formatMetric(score)})`;
      this.log(`[unet] epoch ${epoch + 1}: saved model to ${this.dir}${what}`);
    }
  }

  getState(): CallbackState {
    return { best: this.best, lastSavedEpoch: this.lastSavedEpoch };
  }

  protected restore(state: CallbackState): void {
    this.lastSavedEpoch = stateNumber(state, 'lastSavedEpoch', -1);
  }
}
