import fs from 'node:fs';
import path from 'node:path';
import type { SegmentationRecipe } from '@unet/cli';
import { listImageFolder } from '@unet/data';
import { buildUnet } from '@unet/layers';

/** Folder pairs recognised under --data, first match wins (`image`/`label` is ISBI 2012's). */
export const FOLDER_LAYOUTS = [
  ['images', 'masks'],
  ['image', 'label'],
  ['images', 'labels'],
] as const;

/**
 * The images/masks folder names present under `dir`; else the first layout whose images folder
 * is there (so the error names its missing masks folder), else the first layout.
 */
export function detectLayout(dir: string): { imagesDir: string; masksDir: string } {
  const isDir = (d: string) =>
    fs.statSync(path.join(dir, d), { throwIfNoEntry: false })?.isDirectory() ?? false;
  const found =
    FOLDER_LAYOUTS.find(([images, masks]) => isDir(images) && isDir(masks)) ??
    FOLDER_LAYOUTS.find(([images]) => isDir(images));
  const [imagesDir, masksDir] = found ?? FOLDER_LAYOUTS[0];
  return { imagesDir, masksDir };
}

/**
 * Any binary segmentation set laid out as an images folder + a masks folder with matching file
 * names, such as ISBI 2012 membranes (`train/image` + `train/label`). The DSB2018 article's model
 * at 256x256 on RGB (grey images are replicated), Dice + binary cross-entropy loss.
 */
export const folderRecipe: SegmentationRecipe = {
  program: 'unet-folder',
  description:
    'Binary segmentation of any folder pair with matching file names under --data: ' +
    `${FOLDER_LAYOUTS.map(([i, m]) => `${i}/ + ${m}/`).join(', or ')}. ` +
    'Masks are {0, 255} or {0, 1} images, foreground > 127.',
  channels: 3,
  defaults: { epochs: 100, batchSize: 4, imageSize: 256, valSplit: 0.2, patience: 15 },
  list: (dir, options) => listImageFolder(dir, { ...options, ...detectLayout(dir) }),
  buildModel: ({ height, width, channels, numClasses, seed }) =>
    buildUnet({ preset: 'dsb2018', inputShape: [height, width, channels], numClasses, seed }),
  // `--classes FILE.json`: masks of class indices (or palette colours) of that list, K classes.
  classesFlag: true,
  loss: 'bceDiceLoss',
  metrics: ['diceCoefficient', 'iouScore'],
};
