/** Restoring a run from its `last` checkpoint (used by `train({ resume: true })`). */
import type * as tf from '@tensorflow/tfjs';
import { EarlyStopping } from './callbacks/early-stopping.js';
import type { CheckpointInfo } from './callbacks/model-checkpoint.js';
import type { LogFn, StatefulCallback } from './callbacks/stateful.js';
import { setLearningRate } from './learning-rate.js';
import { loadOptimizerInto, loadWeightsInto } from './model-io.js';
import {
  cloneHistory,
  readCheckpointState,
  type TrainHistory,
  type TrainingState,
} from './training-state.js';
import type { BaseCallback } from './types.js';

/**
 * Loads the checkpoint in `lastDir` into a compiled `model`: weights, optimizer state and learning
 * rate; fills `history` and the stateful callbacks. Returns the saved state, or null (and changes
 * nothing) when there is no checkpoint.
 */
export async function restoreRun(
  model: tf.LayersModel,
  lastDir: string,
  history: TrainHistory,
  stateful: Map<string, StatefulCallback>,
): Promise<TrainingState | null> {
  const previous = await readCheckpointState<TrainingState>(lastDir);
  if (previous === null) return null;
  await loadWeightsInto(model, lastDir);
  await loadOptimizerInto(model.optimizer, lastDir);
  setLearningRate(model.optimizer, previous.learningRate);
  Object.assign(history, cloneHistory(previous.history));
  for (const [key, callback] of stateful) {
    const saved = previous.callbacks[key];
    if (saved !== undefined) callback.setState(saved);
  }
  return previous;
}

/** EarlyStopping could not restore best weights from memory (they predate a resume): use best/. */
export async function restoreMissedBest(
  model: tf.LayersModel,
  callbacks: BaseCallback[],
  bestDir: string,
  log: LogFn,
): Promise<void> {
  for (const callback of callbacks) {
    if (!(callback instanceof EarlyStopping) || callback.restoreMissedEpoch === null) continue;
    const wanted = callback.restoreMissedEpoch;
    const info = await readCheckpointState<CheckpointInfo>(bestDir);
    if (info?.epoch === wanted) {
      await loadWeightsInto(model, bestDir);
      log(`[unet] restored the weights of epoch ${wanted + 1} from ${bestDir}`);
    } else {
      log(
        `[unet] EarlyStopping: the best weights (epoch ${wanted + 1}) predate the resume and ${bestDir} ` +
          'holds another epoch; the model keeps its last weights',
      );
    }
  }
}
