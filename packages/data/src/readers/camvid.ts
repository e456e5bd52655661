/**
 * The CamVid layout published with SegNet: `<root>/<subset>/<name>.png` (RGB street scenes) with
 * `<root>/<subset>annot/<name>.png` (one class index per pixel, 11 classes, void = 11). It is the
 * image-folder layout with class masks, so this reader only fixes the folders and the classes.
 */
import { CAMVID_CLASSES, type ClassList } from '../class-list.js';
import type { LoadResult } from '../load.js';
import type { ReadOptions, SampleRef } from '../sample.js';
import { listImageFolder, readImageFolder } from './image-folder.js';

/** Options of {@link readCamvid}. */
export interface CamvidOptions extends ReadOptions {
  /** Which split: `train` pairs `train/` with `trainannot/` (default), likewise `val`, `test`. */
  subset?: 'train' | 'val' | 'test';
  /** Class list of the annotations (default {@link CAMVID_CLASSES}: 11 classes, void 11). */
  classes?: ClassList;
}

function folderOptions(options: CamvidOptions) {
  const subset = options.subset ?? 'train';
  if (!['train', 'val', 'test'].includes(subset)) {
    throw new Error(
      `readCamvid: subset must be 'train', 'val' or 'test', got ${JSON.stringify(subset)}`,
    );
  }
  return {
    channels: 3 as const,
    ...options,
    imagesDir: subset,
    masksDir: `${subset}annot`,
    classes: options.classes ?? CAMVID_CLASSES,
    maskFormat: 'index' as const,
  };
}

/** Lists one CamVid split without decoding (see {@link listImageFolder} for the checks). */
export async function listCamvid(root: string, options: CamvidOptions = {}): Promise<SampleRef[]> {
  return listImageFolder(root, folderOptions(options));
}

/**
 * Reads one CamVid split: RGB images and masks of class indices (0..10, void 11), masks resized
 * nearest-neighbour when `size` is given.
 *
 * @example
 * ```ts
 * const { samples } = await readCamvid('data/camvid', { subset: 'val', size: { width: 480, height: 352 } });
 * ```
 */
export async function readCamvid(root: string, options: CamvidOptions = {}): Promise<LoadResult> {
  return readImageFolder(root, folderOptions(options));
}
