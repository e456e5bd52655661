import * as tf from '@tensorflow/tfjs';
import { EPSILON } from '../soft-scores.js';
import { asFloatPair, checkUnitInterval } from '../validate.js';

/** Options of {@link meanIoU}. */
export interface MeanIoUOptions {
  /** Binary mode only: a pixel is predicted foreground where `p >= threshold`. Default 0.5. */
  threshold?: number;
}

/**
 * Mean IoU over classes of hard predictions, as Keras's `MeanIoU` (and `BinaryIoU` for binary
 * masks) on one batch; the metric of the DSB2018 article.
 *
 * Shapes and classes:
 * - binary `[N, H, W, 1]`: two classes, background and foreground; `yTrue >= 0.5` and
 *   `yPred >= threshold` are foreground (Keras's `BinaryIoU(target_class_ids=[0, 1])`);
 * - multi-class `[N, H, W, C]`: the class of a pixel is the argmax over the last axis for both
 *   tensors (Keras's `MeanIoU(num_classes=C, sparse_y_true=False, sparse_y_pred=False)`).
 *
 * `IoU_c = TP_c / (TP_c + FP_c + FN_c)` from the confusion matrix of the whole batch;
 * `meanIoU = mean of IoU_c over the classes present in yTrue or yPred` (absent classes are
 * skipped, as in Keras, including its 1e-7 in both denominators).
 */
export function meanIoU(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: MeanIoUOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const [t, p] = asFloatPair('meanIoU', yTrue, yPred);
    const channels = p.shape[p.rank - 1]!;
    let trueClass: tf.Tensor1D;
    let predictedClass: tf.Tensor1D;
    if (channels === 1) {
      const threshold = options.threshold ?? 0.5;
      checkUnitInterval('meanIoU', 'threshold', threshold);
      trueClass = tf.cast(tf.greaterEqual(t, 0.5), 'int32').reshape([-1]);
      predictedClass = tf.cast(tf.greaterEqual(p, threshold), 'int32').reshape([-1]);
    } else {
      trueClass = tf.argMax(t, -1).reshape([-1]);
      predictedClass = tf.argMax(p, -1).reshape([-1]);
    }
    const numClasses = Math.max(channels, 2);
    const trueOneHot = tf.oneHot(trueClass, numClasses).toFloat();
    const predictedOneHot = tf.oneHot(predictedClass, numClasses).toFloat();
    const truePositives = tf.sum(tf.mul(trueOneHot, predictedOneHot), 0);
    const union = tf.sub(tf.add(tf.sum(trueOneHot, 0), tf.sum(predictedOneHot, 0)), truePositives);
    const present = tf.greater(union, 1e-9);
    const iou = tf.where(
      present,
      tf.div(truePositives, tf.add(union, EPSILON)),
      tf.zerosLike(union),
    );
    return tf.div(tf.sum(iou), tf.add(tf.sum(tf.cast(present, 'float32')), EPSILON));
  });
}
