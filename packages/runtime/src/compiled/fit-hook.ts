// Puts a compiled training step under tfjs's own fit loop (model.fit / fitDataset), which asks
// the model for its train function once per fit call: that function is swapped for one that runs
// the graph. Everything else in the loop (callbacks, logs, stopTraining_) stays tfjs's.
import * as tf from '@tensorflow/tfjs';
import type { CompileOptions } from './compile-mode.js';
import { type CompiledTrainStep, compileTrainStep } from './train-step.js';

type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];

interface ModelInternals {
  makeTrainFunction(): TrainFunction;
}

/** The model's methods that read its weights: each syncs first while the step is attached. */
const WEIGHT_READERS = [
  'evaluate',
  'evaluateDataset',
  'predict',
  'predictOnBatch',
  'apply',
  'getWeights',
  'save',
] as const;

export interface CompiledFit {
  step: CompiledTrainStep;
  /**
   * Put this callback first: at the end of every epoch (and of training) the weights go back to
   * the tfjs variables before checkpoints, early stopping or the user's callbacks read them.
   */
  callback: tf.Callback;
  /** Syncs and gives the model its own train and evaluate functions back. */
  detach(): void;
}

/** Writes the session's weights back before any callback of its epoch end reads them. */
class SyncCallback extends tf.Callback {
  constructor(private readonly step: CompiledTrainStep) {
    super();
  }

  override async onEpochEnd(): Promise<void> {
    this.step.sync();
  }

  override async onTrainEnd(): Promise<void> {
    this.step.sync();
  }
}

/**
 * Makes `model.fit` / `model.fitDataset` train through a compiled step until `detach()`. The
 * model must be compiled. Batches with sample or class weights, or of a model with several
 * inputs or outputs, take tfjs's own path. Whatever reads the weights through the model
 * (evaluate and evaluateDataset for validation, predict, apply, getWeights, save) syncs first;
 * a variable tfjs wrote meanwhile (batch-norm recalibration, setWeights) goes to the session.
 */
export function attachCompiledFit(model: tf.LayersModel, options: CompileOptions): CompiledFit {
  const internals = model as unknown as ModelInternals;
  // Own properties shadow the prototype's methods; deleting them restores tfjs's.
  const own = ['makeTrainFunction', ...WEIGHT_READERS] as const;
  const eagerTrain = internals.makeTrainFunction();
  const step = compileTrainStep(model, options);
  const compiledTrain: TrainFunction = (data) => {
    if (data.length !== 2) {
      step.sync();
      return eagerTrain(data);
    }
    return step.trainOnBatch(data[0]!, data[1]!).map((v) => tf.scalar(v));
  };
  const methods = model as unknown as Record<string, (...args: unknown[]) => unknown>;
  const readers = Object.fromEntries(
    WEIGHT_READERS.map((name) => {
      const read = methods[name]!;
      return [
        name,
        (...args: unknown[]) => {
          step.sync();
          return read.apply(model, args);
        },
      ];
    }),
  );
  Object.assign(model, { makeTrainFunction: () => compiledTrain, ...readers });
  return {
    step,
    callback: new SyncCallback(step),
    detach: () => {
      for (const key of own) delete (model as unknown as Record<string, unknown>)[key];
      step.dispose();
    },
  };
}

export type { CompiledTrainStep, CompileOptions };
