// Type-checked (tsc, module NodeNext, strict) against the installed @unet/losses: the public
// types must be usable from a consumer's own TypeScript.
import * as tf from '@tensorflow/tfjs';
import {
  bceDiceLoss,
  type ComposeLossesOptions,
  compileWithNamedLosses,
  composeLosses,
  diceLoss,
  type FocalOptions,
  focalLoss,
  iouScore,
  type LoadModelWithLossesOptions,
  type LossFunction,
  type LossNames,
  loadModelWithLosses,
  type MetricFunction,
  type OverlapMetricOptions,
  registerLoss,
  type TverskyOptions,
  tverskyLoss,
} from '@unet/losses';

const weightedBce: LossFunction = (yTrue, yPred) =>
  tf.tidy(() => tf.losses.sigmoidCrossEntropy(yTrue, yPred, 2) as tf.Scalar);
registerLoss('weightedBce', weightedBce);

const focal: FocalOptions = { gamma: 3, alpha: 0.25 };
registerLoss('focalGamma3', (t, p) => focalLoss(t, p, focal));
const tversky: TverskyOptions = { alpha: 0.7, beta: 0.3 };
const combined: LossFunction = composeLosses([
  [bceDiceLoss, 1],
  ['weightedBce', 0.5],
  [(t, p) => tverskyLoss(t, p, tversky), 0.5],
]);
const metricOptions: OverlapMetricOptions = { threshold: 0.5, perImage: true };
const hardIou: MetricFunction = (t, p) => iouScore(t, p, metricOptions);
const unused: ComposeLossesOptions | undefined = undefined;
console.log(unused);

export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  const names: LossNames = compileWithNamedLosses(model, {
    optimizer: tf.train.adam(1e-3),
    loss: combined === diceLoss ? 'diceLoss' : 'weightedBce',
    metrics: ['diceCoefficient', hardIou],
  });
  const loss: string = names.loss;
  console.log(loss);
  const options: LoadModelWithLossesOptions = { compile: true, optimizer: 'adam' };
  return loadModelWithLosses('file://./checkpoint/model.json', options);
}

export function score(yTrue: tf.Tensor4D, yPred: tf.Tensor4D): number {
  const value: tf.Scalar = diceLoss(yTrue, yPred, { smooth: 1, perImage: false });
  return value.dataSync()[0] ?? Number.NaN;
}

// @ts-expect-error: a loss returns a scalar, not a number.
const wrong: LossFunction = () => 0;
console.log(wrong);
