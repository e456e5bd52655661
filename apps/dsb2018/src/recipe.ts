import type { SegmentationRecipe } from '@unet/cli';
import { listDsb2018 } from '@unet/data';
import { buildUnet } from '@unet/layers';

/**
 * Nuclei in the DSB2018 layout (`<id>/images/<id>.png`, `<id>/masks/*.png`): the article's model
 * (preset `dsb2018`) at 128x128 RGB, binary cross-entropy and Adam as in the article, the union of
 * nucleus masks as the target, and the Kaggle mAP over instances in `evaluate`. `train --targets
 * instances` trains the same U-Net with 3 softmax outputs on the background / interior / boundary
 * classes of the nuclei through the many-class path (sparse cross-entropy; unweighted by default, see the README);
 * `evaluate` and `predict --instances` then split objects on the predicted interiors.
 */
export const dsb2018Recipe: SegmentationRecipe = {
  program: 'unet-dsb2018',
  description:
    'Nuclei segmentation (2018 Data Science Bowl). --data is a stage1_train-style folder: ' +
    '<id>/images/<id>.png and <id>/masks/*.png, one nucleus per mask.',
  channels: 3,
  // 56-image samples give few steps per epoch: batch 8 and many epochs let batch-norm statistics settle.
  defaults: { epochs: 250, batchSize: 8, imageSize: 128, valSplit: 0.2, patience: 40 },
  // options.targets ('instances' with train --targets instances) selects the 3-class masks.
  list: (dir, options) => listDsb2018(dir, { ...options, masks: 'required' }),
  buildModel: ({ height, width, channels, numClasses, seed }) =>
    buildUnet({ preset: 'dsb2018', inputShape: [height, width, channels], numClasses, seed }),
  loss: 'binaryCrossentropy',
  metrics: ['diceCoefficient', 'iouScore'],
  instances: true,
};
