// Type-checked (tsc, module NodeNext, strict) against the installed @unet/infer.
import type * as tf from '@tensorflow/tfjs';
import {
  type EvaluationReport,
  evaluateMasks,
  type LabelImage,
  labelComponents,
  type PredictImageOptions,
  predictProbability,
  type RasterImage,
  type TileOptions,
} from '@unet/infer';

export async function segment(model: tf.LayersModel, image: RasterImage): Promise<LabelImage> {
  const tile: TileOptions = { tileSize: 256, overlap: 32 };
  const options: PredictImageOptions = { tile };
  const probability = await predictProbability(model, image, options);
  return labelComponents(probability.data, probability.width, probability.height);
}

export function score(predicted: RasterImage, truth: RasterImage): number {
  const report: EvaluationReport = evaluateMasks([{ predicted, truth }], { threshold: 0.5 });
  return report.overall.dice;
}
