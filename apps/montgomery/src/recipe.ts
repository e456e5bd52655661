import type { SegmentationRecipe } from '@unet/cli';
import { listMontgomery } from '@unet/data';
import { buildUnet } from '@unet/layers';

/**
 * Lungs in the Montgomery County chest X-ray set (`CXR_png/`, `ManualMask/leftMask/`,
 * `ManualMask/rightMask/`; mask = left OR right): the original U-Net with batch norm (preset
 * `paper`) on grayscale input, 256x256 by default (512 as in the article with --image-size 512),
 * Dice + binary cross-entropy loss.
 */
export const montgomeryRecipe: SegmentationRecipe = {
  program: 'unet-montgomery',
  description:
    'Lung segmentation in chest X-rays (Montgomery County set). --data holds CXR_png/*.png and ' +
    'ManualMask/leftMask/*.png + ManualMask/rightMask/*.png with the same file names.',
  channels: 1,
  defaults: { epochs: 50, batchSize: 4, imageSize: 256, valSplit: 0.2 },
  list: (dir, options) => listMontgomery(dir, options),
  buildModel: ({ height, width, channels, seed }) =>
    buildUnet({ preset: 'paper', inputShape: [height, width, channels], seed }),
  loss: 'bceDiceLoss',
  metrics: ['diceCoefficient', 'iouScore', 'precision', 'recall'],
};
