// A custom loss, registered by name. Import this module in the code that trains AND in the code
// that loads the model: the saved model refers to the loss by its name only.
import * as tf from '@tensorflow/tfjs';
import { registerLoss, tverskyLoss } from '@unet/losses';

/**
 * Focal Tversky loss (Abraham & Khan, 2019): `(1 - TI)^gamma`, where the Tversky index weighs
 * false negatives (beta) more than false positives (alpha) and gamma < 1 focuses on hard cases.
 * Built on @unet/losses' `tverskyLoss` (= 1 - TI). A loss is `(yTrue, yPred) => tf.Scalar`,
 * inside `tf.tidy` so its intermediates are freed.
 */
export function focalTverskyLoss(yTrue, yPred) {
  return tf.tidy(() => tf.pow(tverskyLoss(yTrue, yPred, { alpha: 0.3, beta: 0.7 }), 0.75));
}

registerLoss('focalTversky', focalTverskyLoss);
