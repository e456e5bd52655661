/**
 * Montgomery County chest X-rays: `CXR_png/<name>.png` with lung masks
 * `ManualMask/leftMask/<name>.png` and `ManualMask/rightMask/<name>.png` (same names, same
 * size, about 4020x4892 grey). The sample mask is left OR right.
 */
import path from 'node:path';
import { readBinaryMask, unionInto } from '../binary-mask.js';
import { DataFileError } from '../errors.js';
import { createSampleRefs, type LoadResult, loadSamples, type SampleRecipe } from '../load.js';
import type { ImageSize, ReadOptions, SampleRef } from '../sample.js';
import { resolveSize } from '../sample.js';
import {
  assertFolder,
  assertSameSize,
  decodeSampleImage,
  finishMask,
  listImageFiles,
  stem,
} from './shared.js';

/** Options of {@link readMontgomery}; `channels` defaults to 1 (the X-rays are grey). */
export type MontgomeryOptions = ReadOptions;

/**
 * Lists a Montgomery folder (the one holding `CXR_png/` and `ManualMask/`) without decoding.
 * A missing left or right mask fails that sample with an error naming the missing file.
 * @throws {@link DataFileError} when `CXR_png/` or a mask folder is missing, or `CXR_png/` is empty.
 */
export async function listMontgomery(
  root: string,
  options: MontgomeryOptions = {},
): Promise<SampleRef[]> {
  const imagesDir = path.join(root, 'CXR_png');
  const leftDir = path.join(root, 'ManualMask', 'leftMask');
  const rightDir = path.join(root, 'ManualMask', 'rightMask');
  const images = await listImageFiles(imagesDir, 'CXR_png images');
  await assertFolder(leftDir, 'left lung masks (ManualMask/leftMask)');
  await assertFolder(rightDir, 'right lung masks (ManualMask/rightMask)');
  if (images.length === 0) {
    throw new DataFileError(imagesDir, 'empty-dataset', 'no images found');
  }
  const settings = {
    size: resolveSize(options.size),
    channels: options.channels ?? 1,
    maskThreshold: options.maskThreshold,
  };
  const recipes = images.map((imageFile) =>
    montgomeryRecipe(imageFile, leftDir, rightDir, settings),
  );
  return createSampleRefs('montgomery', recipes, settings, options);
}

/**
 * Reads the Montgomery chest X-ray set.
 *
 * @example
 * ```ts
 * const { samples } = await readMontgomery('data/MontgomerySet', { size: 512, channels: 1 });
 * ```
 */
export async function readMontgomery(
  root: string,
  options: MontgomeryOptions = {},
): Promise<LoadResult> {
  return loadSamples(await listMontgomery(root, options), { label: root, ...options });
}

function montgomeryRecipe(
  imageFile: string,
  leftDir: string,
  rightDir: string,
  settings: { size: ImageSize | undefined; channels: 1 | 3; maskThreshold: number | undefined },
): SampleRecipe {
  const name = path.basename(imageFile);
  const leftFile = path.join(leftDir, name);
  const rightFile = path.join(rightDir, name);
  const files = [imageFile, leftFile, rightFile];
  return {
    id: stem(imageFile),
    files,
    async decode() {
      const maskOptions = { maskThreshold: settings.maskThreshold };
      const [{ image, originalSize }, left, right] = await Promise.all([
        decodeSampleImage(imageFile, settings.channels, settings.size),
        readBinaryMask(leftFile, maskOptions),
        readBinaryMask(rightFile, maskOptions),
      ]);
      assertSameSize(leftFile, left, imageFile, originalSize);
      assertSameSize(rightFile, right, imageFile, originalSize);
      unionInto(left, right);
      const mask = await finishMask(left, settings.size);
      return { id: stem(imageFile), image, mask, originalSize, files };
    },
  };
}
