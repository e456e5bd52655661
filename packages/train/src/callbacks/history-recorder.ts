import * as tf from '@tensorflow/tfjs';
import { getLearningRate } from '../learning-rate.js';
import { type RawLogs, resolveLogs } from '../logs.js';
import { appendHistory, type TrainHistory } from '../training-state.js';

/**
 * Internal to `train()`, first in its callback list: adds `lr` (the learning rate used during
 * the epoch) to the epoch logs. Its {@link appendHook} goes after the user's callbacks and
 * appends the logs to the run's continuous history, so values a callback adds to the logs (the
 * CLI's `val_miou`) reach history.csv, the curves and the resume state, as in Keras, whose
 * History callback runs last.
 */
export class HistoryRecorder extends tf.Callback {
  constructor(readonly history: TrainHistory) {
    super();
  }

  override async onEpochEnd(_epoch: number, rawLogs?: RawLogs): Promise<void> {
    if (rawLogs === undefined || rawLogs.lr !== undefined || this.model.optimizer == null) return;
    try {
      rawLogs.lr = getLearningRate(this.model.optimizer);
    } catch {
      // An optimizer without a numeric learning rate: no lr column.
    }
  }

  /** The callback that appends each epoch's logs to the history; put it after the user's. */
  appendHook(): tf.Callback {
    const history = this.history;
    return new (class extends tf.Callback {
      override async onEpochEnd(epoch: number, rawLogs?: RawLogs): Promise<void> {
        appendHistory(history, epoch, await resolveLogs(rawLogs));
      }
    })();
  }
}
