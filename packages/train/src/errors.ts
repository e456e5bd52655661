import type { TrainResult } from './train-options.js';

/**
 * Thrown by `train()` when the loss became NaN or infinite. The model holds the weights of the
 * last good checkpoint when there is one (`outDir` given), and `result` the history up to the
 * bad epoch.
 */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  /** History and bookkeeping of the run up to the point it stopped. */
  readonly result: TrainResult;

  constructor(message: string, result: TrainResult) {
    super(message);
    this.result = result;
  }
}
