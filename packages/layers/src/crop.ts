import * as tf from '@tensorflow/tfjs';
import { applyLayer, spatialSize } from './symbolic.js';

/**
 * Centre-crops an NHWC skip connection to `[height, width]`, as the original U-Net does before
 * concatenating encoder features with the (smaller) upsampled decoder features under 'valid'
 * padding. An odd difference puts the extra row/column at the bottom/right, like Keras'
 * `Cropping2D` with `(d // 2, d - d // 2)`.
 *
 * Uses the built-in `Cropping2D` layer (crop amounts are fixed at build time), so models that
 * contain it save and load without any custom-layer registration. Returns `skip` itself when it
 * already has the target size.
 *
 * @param skip - encoder features `[batch, h, w, c]`.
 * @param size - target `[height, width]`, each at most the skip's.
 * @param name - layer name (default: TensorFlow.js picks one).
 * @returns `[batch, height, width, c]`.
 * @throws Error when the skip is smaller than the target (it cannot be cropped up).
 * @example
 * // paper level 4: 64x64 encoder features, 56x56 upsampled decoder features
 * const cropped = centreCropTo(skip, [56, 56], 'dec4_crop'); // [null, 56, 56, 512]
 */
export function centreCropTo(
  skip: tf.SymbolicTensor,
  size: readonly [number, number],
  name?: string,
): tf.SymbolicTensor {
  const [skipHeight, skipWidth] = spatialSize(skip);
  const [height, width] = size;
  const dh = skipHeight - height;
  const dw = skipWidth - width;
  if (dh < 0 || dw < 0) {
    throw new Error(
      `cannot centre-crop skip ${skip.name} of ${skipHeight}x${skipWidth} to the larger ` +
        `${height}x${width}: the encoder features must be at least as large as the upsampled ` +
        'decoder features (check the blocks and the input size)',
    );
  }
  if (dh === 0 && dw === 0) return skip;
  const top = Math.floor(dh / 2);
  const left = Math.floor(dw / 2);
  const crop = tf.layers.cropping2D({
    cropping: [
      [top, dh - top],
      [left, dw - left],
    ],
    ...(name === undefined ? {} : { name }),
  });
  return applyLayer(crop, skip);
}
