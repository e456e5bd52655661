/**
 * The generic layout: `<root>/images/<name>.<ext>` with `<root>/masks/<name>.<ext>` (matched by
 * name without extension, so `a.jpg` pairs with `a.png`). Folder names and a mask-name suffix are
 * options, which also covers the ISBI 2012 membrane layout (`train/image` + `train/label`).
 */
import path from 'node:path';
import { readBinaryMask } from '../binary-mask.js';
import { type ClassList, validateClassList } from '../class-list.js';
import {
  type ClassMaskFormat,
  classMaskToRaster,
  readClassMask,
  resizeClassMask,
} from '../class-mask.js';
import { DataFileError } from '../errors.js';
import {
  createSampleRefs,
  type LoadResult,
  loadSamples,
  type SampleRecipe,
  warnOnStderr,
} from '../load.js';
import { type ImageSize, type ReadOptions, resolveSize, type SampleRef } from '../sample.js';
import {
  assertSameSize,
  decodeSampleImage,
  failingRecipe,
  finishMask,
  listImageFiles,
  stem,
} from './shared.js';

/** Options of {@link readImageFolder}. */
export interface ImageFolderOptions extends ReadOptions {
  /** Images folder, relative to the root (default `'images'`). */
  imagesDir?: string;
  /** Masks folder, relative to the root (default `'masks'`); `null` = images only (a test set). */
  masksDir?: string | null;
  /** Mask name = image name + this suffix, before the extension (default `''`; e.g. `'_mask'`). */
  maskSuffix?: string;
  /**
   * Multi-class masks: read each mask as class indices of this list (checked pixel by pixel,
   * resized nearest-neighbour) instead of as a binary mask. Unset: binary masks.
   */
  classes?: ClassList;
  /** How class masks encode classes (default `'auto'`: one channel = index, colour = palette). */
  maskFormat?: ClassMaskFormat;
}

/**
 * Lists an image/mask folder pair without decoding. An image without a mask fails that sample
 * with an error naming the expected mask; masks without an image are reported as a warning.
 * @throws {@link DataFileError} when the images or masks folder is missing or holds no images.
 */
export async function listImageFolder(
  root: string,
  options: ImageFolderOptions = {},
): Promise<SampleRef[]> {
  const imagesDir = path.resolve(root, options.imagesDir ?? 'images');
  const masksDir =
    options.masksDir === null ? null : path.resolve(root, options.masksDir ?? 'masks');
  const suffix = options.maskSuffix ?? '';
  const images = await listImageFiles(imagesDir, 'images');
  if (images.length === 0) {
    throw new DataFileError(imagesDir, 'empty-dataset', 'the images folder holds no images');
  }
  const masksByName = new Map<string, string>();
  if (masksDir !== null) {
    for (const file of await listImageFiles(masksDir, 'masks')) masksByName.set(stem(file), file);
  }
  if (options.classes) validateClassList(options.classes, 'classes option');
  // Everything here is part of the cache key: a changed palette must not reuse cached masks.
  const settings: FolderSettings = {
    size: resolveSize(options.size),
    channels: options.channels,
    maskThreshold: options.maskThreshold,
    ...(options.classes
      ? { classes: options.classes, maskFormat: options.maskFormat ?? 'auto' }
      : {}),
  };
  const used = new Set<string>();
  const recipes = images.map((imageFile): SampleRecipe => {
    const id = stem(imageFile);
    if (masksDir === null) return imageOnlyRecipe(id, imageFile, settings);
    const maskFile = masksByName.get(id + suffix);
    if (!maskFile) {
      return failingRecipe(
        id,
        [imageFile],
        new DataFileError(
          imageFile,
          'missing-file',
          `no mask for this image: expected ${path.join(masksDir, `${id}${suffix}`)}.<png|tif|...>`,
        ),
      );
    }
    used.add(id + suffix);
    return pairRecipe(id, imageFile, maskFile, settings);
  });
  const orphans = [...masksByName.keys()].filter((name) => !used.has(name));
  if (orphans.length > 0) {
    (options.onWarning ?? warnOnStderr)(
      `${masksDir}: ${orphans.length} mask(s) without an image, ignored (e.g. ${orphans.slice(0, 3).join(', ')})`,
    );
  }
  return createSampleRefs('image-folder', recipes, settings, options);
}

/**
 * Reads images with binary masks (or, with `classes`, class-index or colour-coded masks) from
 * two folders.
 *
 * @example
 * ```ts
 * const { samples } = await readImageFolder('data/membrane', {
 *   imagesDir: 'train/image', masksDir: 'train/label', size: 256, channels: 1,
 * });
 * ```
 */
export async function readImageFolder(
  root: string,
  options: ImageFolderOptions = {},
): Promise<LoadResult> {
  return loadSamples(await listImageFolder(root, options), { label: root, ...options });
}

interface FolderSettings {
  size: ImageSize | undefined;
  channels: 1 | 3 | undefined;
  maskThreshold: number | undefined;
  classes?: ClassList;
  maskFormat?: ClassMaskFormat;
}

function imageOnlyRecipe(id: string, imageFile: string, settings: FolderSettings): SampleRecipe {
  return {
    id,
    files: [imageFile],
    async decode() {
      const { image, originalSize } = await decodeSampleImage(
        imageFile,
        settings.channels,
        settings.size,
      );
      return { id, image, originalSize, files: [imageFile] };
    },
  };
}

function pairRecipe(
  id: string,
  imageFile: string,
  maskFile: string,
  settings: FolderSettings,
): SampleRecipe {
  const files = [imageFile, maskFile];
  return {
    id,
    files,
    async decode() {
      if (settings.classes) {
        const [{ image, originalSize }, classMask] = await Promise.all([
          decodeSampleImage(imageFile, settings.channels, settings.size),
          readClassMask(maskFile, settings.classes, settings.maskFormat),
        ]);
        assertSameSize(maskFile, classMask, imageFile, originalSize);
        const { size } = settings;
        const resized = size ? resizeClassMask(classMask, size.width, size.height) : classMask;
        return { id, image, mask: classMaskToRaster(resized), originalSize, files };
      }
      const [{ image, originalSize }, binary] = await Promise.all([
        decodeSampleImage(imageFile, settings.channels, settings.size),
        readBinaryMask(maskFile, { maskThreshold: settings.maskThreshold }),
      ]);
      assertSameSize(maskFile, binary, imageFile, originalSize);
      const mask = await finishMask(binary, settings.size);
      return { id, image, mask, originalSize, files };
    },
  };
}
