import * as tf from '@tensorflow/tfjs';
import { writeCheckpointDir, writeFileAtomic } from '../checkpoint-store.js';
import { getLearningRate } from '../learning-rate.js';
import { lossesAreFinite, type RawLogs, resolveLogs } from '../logs.js';
import { CHECKPOINT_FILES, modelFiles, optimizerFiles } from '../model-io.js';
import type { Monitor } from '../monitor.js';
import {
  cloneHistory,
  encodeStateJson,
  type StopReason,
  type TrainHistory,
  type TrainingState,
} from '../training-state.js';
import type { StatefulCallback } from './stateful.js';

/** What {@link ResumeCheckpoint} needs from `train()`. */
export interface ResumeCheckpointOptions {
  dir: string;
  epochs: number;
  history: TrainHistory;
  monitor: Monitor;
  /** Best score and epoch so far (from the best-model checkpoint). */
  best: () => { score: number | null; epoch: number | null };
  /** Stateful callbacks by unique key. */
  stateful: Map<string, StatefulCallback>;
  seed: number | null;
}

/**
 * Internal to `train()`, last in its callback list: after every epoch whose losses are finite,
 * atomically writes `<outDir>/last` with the model, the optimizer state and `state.json`
 * (epoch, learning rate, best score, history, callback states), everything `resume` needs.
 */
export class ResumeCheckpoint extends tf.Callback {
  /** State as last written (null before the first write). */
  written: TrainingState | null = null;

  constructor(private readonly options: ResumeCheckpointOptions) {
    super();
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const logs = await resolveLogs(rawLogs);
    if (!lossesAreFinite(logs, this.options.monitor.key)) return;
    const state = this.state(epoch, null);
    const files = [
      ...(await modelFiles(this.model)),
      ...(await optimizerFiles(this.model.optimizer)),
      { name: CHECKPOINT_FILES.state, data: encodeStateJson(state) },
    ];
    await writeCheckpointDir(this.options.dir, files);
    this.written = state;
  }

  /** Records why the run ended in the last checkpoint's `state.json` (atomic file replace). */
  async markStopped(reason: StopReason): Promise<void> {
    if (this.written === null) return;
    this.written = { ...this.written, stopReason: reason, savedAt: new Date().toISOString() };
    await writeFileAtomic(
      `${this.options.dir}/${CHECKPOINT_FILES.state}`,
      encodeStateJson(this.written),
    );
  }

  private state(epoch: number, stopReason: StopReason | null): TrainingState {
    const { options } = this;
    const callbacks: TrainingState['callbacks'] = {};
    for (const [key, callback] of options.stateful) callbacks[key] = callback.getState();
    return {
      version: 1,
      epoch,
      epochs: options.epochs,
      learningRate: getLearningRate(this.model.optimizer),
      monitor: { key: options.monitor.key, mode: options.monitor.mode },
      best: options.best(),
      history: cloneHistory(options.history),
      callbacks,
      stopReason,
      seed: options.seed,
      savedAt: new Date().toISOString(),
    };
  }
}
