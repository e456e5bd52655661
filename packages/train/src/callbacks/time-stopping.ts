import * as tf from '@tensorflow/tfjs';

/** Options of {@link TimeStopping}. */
export interface TimeStoppingOptions {
  /** Wall-clock budget of the run in seconds; training stops after the epoch that exceeds it. */
  seconds: number;
  /** Where the one-line notice goes. Default stderr. */
  log?: (line: string) => void;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * Stops training after the first epoch that ends past a time budget (TensorFlow Addons'
 * `TimeStopping`). The epoch in progress is finished, so its checkpoint is complete.
 */
export class TimeStopping extends tf.Callback {
  private readonly seconds: number;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private started = 0;
  /** Epoch (0-based) after which the budget ran out, or null. */
  stoppedEpoch: number | null = null;

  constructor(options: TimeStoppingOptions) {
    super();
    if (!(options.seconds > 0))
      throw new Error(`TimeStopping: seconds must be > 0, got ${options.seconds}`);
    this.seconds = options.seconds;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = options.now ?? Date.now;
  }

  override async onTrainBegin(): Promise<void> {
    this.started = this.now();
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if ((this.now() - this.started) / 1000 >= this.seconds && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      this.log(
        `time budget of ${(this.seconds / 60).toFixed(1)} min reached after epoch ${epoch + 1}: stopping`,
      );
    }
  }
}
