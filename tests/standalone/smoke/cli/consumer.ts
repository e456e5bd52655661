// Type-checked (tsc, module NodeNext, strict) against the installed @unet/cli.
import type * as tf from '@tensorflow/tfjs';
import { runSegmentationCli, type SegmentationRecipe } from '@unet/cli';

export function app(buildModel: () => tf.LayersModel): Promise<number> {
  const recipe: SegmentationRecipe = {
    program: 'unet-mine',
    description: 'My dataset.',
    channels: 3,
    defaults: { epochs: 10, batchSize: 4, imageSize: 128, valSplit: 0.2 },
    list: async () => [],
    buildModel,
    loss: 'bceDiceLoss',
    metrics: ['diceCoefficient'],
  };
  return runSegmentationCli(recipe, ['--help']);
}
