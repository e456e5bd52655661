import type { SegmentationRecipe } from '@unet/cli';
import { CAMVID_CLASSES, listCamvid } from '@unet/data';
import { buildUnet } from '@unet/layers';

const SUBSETS = ['train', 'val', 'test'] as const;
type Subset = (typeof SUBSETS)[number];

function subsetOf(value: string | undefined): Subset {
  const subset = value ?? 'train';
  if (!(SUBSETS as readonly string[]).includes(subset)) {
    throw new Error(`unet-camvid: --subset must be one of ${SUBSETS.join(', ')}, got '${subset}'`);
  }
  return subset as Subset;
}

/**
 * CamVid as published with SegNet: `train/ trainannot/ val/ valannot/ test/ testannot/`, 480x360
 * RGB street scenes with PNG masks of class indices (0-10, void 11). Trains on train/, validates
 * on val/, scores --subset (default test) at the labels' own 360x480. The DSB2018 article's
 * U-Net (16..256 filters, batch norm, dropout 0.1-0.3) with 11 softmax channels at 192x256,
 * void-ignoring sparse cross-entropy with the square root of median-frequency class weights,
 * flips, zoom and colour jitter, the epoch of the best validation mean IoU kept.
 */
export const camvidRecipe: SegmentationRecipe = {
  program: 'unet-camvid',
  description:
    'CamVid road scenes, 11 classes (SegNet release): --data holds train/ trainannot/ val/ ' +
    'valannot/ test/ testannot/ (RGB PNGs and PNG masks of class indices 0-10, void 11). ' +
    'train fits on train/ and validates on val/; evaluate scores --subset (default test).',
  channels: 3,
  // 30 epochs of 50-70 s on 2 cores (training, batch-norm recalibration, validation): 25-35 minutes.
  defaults: {
    epochs: 30,
    batchSize: 8,
    imageSize: '192x256',
    valSplit: 0.2,
    patience: 10,
    classWeights: 'sqrt',
  },
  classes: CAMVID_CLASSES,
  subsets: { train: 'train', validation: 'val', evaluate: 'test' },
  list: (dir, { subset, classes, ...options }) =>
    listCamvid(dir, { ...options, subset: subsetOf(subset), classes: classes ?? CAMVID_CLASSES }),
  buildModel: ({ height, width, channels, numClasses, seed }) =>
    buildUnet({ preset: 'dsb2018', inputShape: [height, width, channels], numClasses, seed }),
  loss: 'sparseCategoricalCrossentropy',
  metrics: [],
  // The quantity CamVid is scored by picks the kept epoch (val_loss favours confident pixels of
  // the big classes).
  monitor: 'val_miou',
  // Street scenes have an up: mirror left-right only. Zoom (objects at other distances) and
  // colour jitter (the test sequences were filmed in other light) fight the overfitting of 367
  // images from a few drives.
  augment: {
    flipHorizontal: true,
    flipVertical: false,
    rotate90: false,
    zoom: { maxScale: 1.5 },
    colour: true,
  },
};
