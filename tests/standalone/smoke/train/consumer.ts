// Type-checked (tsc, module NodeNext, strict) against the installed @unet/train: the public
// types must be usable from a consumer's own TypeScript.
import * as tf from '@tensorflow/tfjs';
import type { EvaluationReport } from '@unet/infer';
import { buildUnet, type UnetOptions } from '@unet/layers';
import { diceCoefficient, diceLoss } from '@unet/losses';
import { type BackendPreference, initBackend } from '@unet/runtime';
import {
  type CallbackState,
  EarlyStopping,
  evaluate,
  ReduceLROnPlateau,
  resolveLogs,
  type StatefulCallback,
  TrainingDivergedError,
  type TrainOptions,
  type TrainResult,
  train,
} from '@unet/train';

class StopAtDice extends tf.Callback implements StatefulCallback {
  readonly stateKey = 'stopAtDice';
  hits = 0;
  constructor(private readonly target: number) {
    super();
  }
  override async onEpochEnd(_epoch: number, logs?: tf.Logs): Promise<void> {
    const values = await resolveLogs(logs);
    if ((values.val_diceCoefficient ?? 0) >= this.target && ++this.hits >= 2) {
      this.model.stopTraining = true;
    }
  }
  getState(): CallbackState {
    return { hits: this.hits };
  }
  setState(state: CallbackState): void {
    this.hits = Number(state.hits ?? 0);
  }
}

export async function run(x: tf.Tensor4D, y: tf.Tensor4D): Promise<TrainResult | undefined> {
  const backend: BackendPreference = 'auto';
  const name: string = await initBackend(backend);
  console.log(name);
  const cfg: UnetOptions = { inputShape: [32, 32, 1], depth: 2, filters: 8 };
  const options: TrainOptions = {
    model: buildUnet(cfg),
    x,
    y,
    validationSplit: 0.25,
    loss: diceLoss,
    metrics: [diceCoefficient, 'accuracy'],
    epochs: 2,
    batchSize: 2,
    callbacks: [
      new EarlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true }),
      new ReduceLROnPlateau({ factor: 0.5, patience: 1 }),
      new StopAtDice(0.9),
      { onEpochEnd: async (epoch: number) => console.log(epoch) },
    ],
  };
  try {
    const result = await train(options);
    const losses: number[] = result.history.loss ?? [];
    console.log(result.stopReason, losses, result.bestEpoch);
    const report: EvaluationReport = await evaluate({ model: options.model, x, y });
    console.log(report.overall.dice);
    return result;
  } catch (error) {
    if (error instanceof TrainingDivergedError) return error.result;
    throw error;
  }
}

// @ts-expect-error: epochs is required.
const wrong: TrainOptions = { model: buildUnet({ preset: 'dsb2018' }) };
console.log(wrong);
