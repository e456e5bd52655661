import * as tf from '@tensorflow/tfjs';

/** Options of {@link tensorBoard}. */
export interface TensorBoardOptions {
  /** Write scalars every `batch` or every `epoch` (default). */
  updateFreq?: 'batch' | 'epoch';
  /** Write weight histograms every n epochs (0 = never, default). */
  histogramFreq?: number;
}

interface NodeApi {
  tensorBoard(logdir: string, args?: TensorBoardOptions): tf.CustomCallback;
}

interface TfjsNodeModule {
  node?: NodeApi;
  default?: { node?: NodeApi };
}

/** Plain strings so bundlers do not try to resolve the optional native packages. */
const NATIVE_PACKAGES: string[] = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/**
 * A TensorBoard callback writing event files to `logDir` (`train/` and `val/` runs; view with
 * `tensorboard --logdir <logDir>`), or `null` when the active backend is not native TensorFlow
 * (the event writer lives in the TensorFlow C library). Epoch steps are `epoch + 1`, so resumed
 * runs continue the same curves.
 */
export async function tensorBoard(
  logDir: string,
  options: TensorBoardOptions = {},
): Promise<tf.CustomCallback | null> {
  if (tf.getBackend() !== 'tensorflow') return null;
  for (const specifier of NATIVE_PACKAGES) {
    let native: TfjsNodeModule;
    try {
      native = (await import(specifier)) as TfjsNodeModule;
    } catch {
      continue;
    }
    const api = native.node ?? native.default?.node;
    if (typeof api?.tensorBoard === 'function') return api.tensorBoard(logDir, options);
  }
  return null;
}
