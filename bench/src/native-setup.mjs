// What every tfjs-node bench script starts from: the native backend with the toolkit's fast
// paths (warnings to stderr, nothing else), and a fixed pseudo-random batch whose values do not
// matter for speed, only its shapes and dtypes.
import * as tf from '@tensorflow/tfjs';
import { enableFastPaths, initBackend } from '@unet/runtime';

export async function startNativeBackend() {
  const quiet = { log: () => {}, warn: (l) => console.error(l) };
  await initBackend('tensorflow', quiet);
  enableFastPaths(quiet);
}

/** `batch` RGB images of `size` x `size` in [0, 1] and binary masks, the same every run. */
export function fixedBatch(batch, size) {
  const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 0);
  const y = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1).greater(0.5).toFloat();
  return { x, y };
}
