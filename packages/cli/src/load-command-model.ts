import type * as tf from '@tensorflow/tfjs';
import { loadModel } from '@unet/train';
import { UsageError } from './parse-flags.js';

/** Loads `--model DIR` for a command; a folder that holds no loadable model is a usage error. */
export async function loadCommandModel(command: string, modelDir: string): Promise<tf.LayersModel> {
  try {
    return await loadModel(modelDir);
  } catch (error) {
    throw new UsageError(
      `${command}: cannot load a model from ${modelDir}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}
