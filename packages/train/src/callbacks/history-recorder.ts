import * as tf from '@tensorflow/tfjs';
import { getLearningRate } from '../learning-rate.js';
import { type RawLogs, resolveLogs } from '../logs.js';
import { appendHistory, type TrainHistory } from '../training-state.js';

/**
 * Internal to `train()`, first in its callback list: reads the epoch logs into numbers, adds `lr`
 * (the learning rate used during the epoch) and appends them to the run's continuous history.
 */
export class HistoryRecorder extends tf.Callback {
  constructor(readonly history: TrainHistory) {
    super();
  }

  override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
    const logs = await resolveLogs(rawLogs);
    if (rawLogs !== undefined && logs.lr === undefined && this.model.optimizer != null) {
      try {
        rawLogs.lr = getLearningRate(this.model.optimizer);
      } catch {
        // An optimizer without a numeric learning rate: no lr column.
      }
    }
    appendHistory(this.history, epoch, logs);
  }
}
