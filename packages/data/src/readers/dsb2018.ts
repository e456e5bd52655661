/**
 * 2018 Data Science Bowl nuclei: `<root>/<id>/images/<id>.png` and `<root>/<id>/masks/*.png`
 * (one nucleus per mask file). The sample mask is the union of the instance masks (or, with
 * `targets: 'instances'`, the background / interior / boundary classes of the nuclei); the
 * instance labels are kept at the original size for the competition's instance metric.
 */
import path from 'node:path';
import { instanceTargets, resizeNearest } from '@unet/infer';
import { readBinaryMask, setPixelIndices } from '../binary-mask.js';
import type { ClassList } from '../class-list.js';
import { DataFileError } from '../errors.js';
import { readImageHeader } from '../image-io.js';
import { createSampleRefs, type LoadResult, loadSamples, type SampleRecipe } from '../load.js';
import {
  type ImageSize,
  type ReadOptions,
  resolveSize,
  type Sample,
  type SampleRef,
} from '../sample.js';
import {
  assertFolder,
  assertSameSize,
  decodeSampleImage,
  failingRecipe,
  finishMask,
  listEntries,
  listImageFiles,
  mapWithLimit,
} from './shared.js';

/** Options of {@link readDsb2018} / {@link listDsb2018}. */
export interface Dsb2018Options extends ReadOptions {
  /**
   * `'auto'` (default): if no sample folder has `masks/`, load images only (a test set);
   * otherwise every sample must have a non-empty `masks/`. `'required'` / `'none'` force either.
   */
  masks?: 'auto' | 'required' | 'none';
  /** Keep per-nucleus labels at the original size in `sample.instances` (default true). */
  instances?: boolean;
  /**
   * What `sample.mask` holds: `'binary'` (default) the union of the nuclei, {0, 1};
   * `'instances'` the class indices of {@link INSTANCE_TARGET_CLASSES} (0 background, 1 interior,
   * 2 boundary), computed by `instanceTargets` (boundary band 1 pixel wide) from the nucleus
   * labels resized (nearest neighbour) to `size`, so the band is one pixel at the training size
   * and touching nuclei stay separated by it.
   */
  targets?: 'binary' | 'instances';
}

/**
 * The classes of `targets: 'instances'` masks, in the index order of `INSTANCE_CLASSES` of
 * @unet/infer: the class list a 3-class instance model is trained and saved with.
 */
export const INSTANCE_TARGET_CLASSES: ClassList = {
  classes: [
    { name: 'background', color: [0, 0, 0] },
    { name: 'interior', color: [255, 255, 255] },
    { name: 'boundary', color: [255, 64, 64] },
  ],
};

/**
 * Lists a DSB2018 stage folder (e.g. `stage1_train`) without decoding anything.
 * Images are read as RGB (`channels: 3`, alpha dropped) unless `channels: 1` is given.
 * @throws {@link DataFileError} when the folder is missing or holds no sample folders.
 */
export async function listDsb2018(
  root: string,
  options: Dsb2018Options = {},
): Promise<SampleRef[]> {
  await assertFolder(root, 'DSB2018 stage');
  const ids = await listEntries(root, 'directory');
  if (ids.length === 0) {
    throw new DataFileError(
      root,
      'empty-dataset',
      'no sample folders (<id>/images/<id>.png) found',
    );
  }
  const masksMode = options.masks ?? 'auto';
  const hasMasksFolder = await Promise.all(
    ids.map((id) =>
      assertFolder(path.join(root, id, 'masks'), 'masks').then(
        () => true,
        () => false,
      ),
    ),
  );
  const withMasks =
    masksMode === 'required' || (masksMode === 'auto' && hasMasksFolder.some(Boolean));
  const settings = {
    size: resolveSize(options.size),
    channels: options.channels ?? 3,
    withMasks,
    instances: options.instances ?? true,
    maskThreshold: options.maskThreshold,
    targets: options.targets ?? 'binary',
  };
  if (settings.targets !== 'binary' && settings.targets !== 'instances') {
    throw new Error(`targets must be 'binary' or 'instances', got '${String(settings.targets)}'`);
  }
  const recipes = await Promise.all(ids.map((id) => dsbRecipe(root, id, settings)));
  return createSampleRefs('dsb2018', recipes, settings, options);
}

/**
 * Reads a DSB2018 stage folder: RGB images (alpha dropped), binary union masks and instance
 * labels.
 *
 * @example
 * ```ts
 * const { samples } = await readDsb2018('data/stage1_train', { size: 256 });
 * samples[0].mask;               // 256x256x1, {0, 1}
 * samples[0].instances?.count;   // nuclei in the image
 * ```
 */
export async function readDsb2018(root: string, options: Dsb2018Options = {}): Promise<LoadResult> {
  return loadSamples(await listDsb2018(root, options), { label: root, ...options });
}

interface DsbSettings {
  size: ImageSize | undefined;
  channels: 1 | 3;
  withMasks: boolean;
  instances: boolean;
  maskThreshold: number | undefined;
  targets: 'binary' | 'instances';
}

async function dsbRecipe(root: string, id: string, settings: DsbSettings): Promise<SampleRecipe> {
  const folder = path.join(root, id);
  let imageFile: string;
  try {
    const images = await listImageFiles(path.join(folder, 'images'), 'images');
    const preferred = images.find((f) => path.basename(f, path.extname(f)) === id);
    if (!preferred && images.length !== 1) {
      throw new DataFileError(
        path.join(folder, 'images'),
        images.length === 0 ? 'missing-file' : 'unsupported',
        images.length === 0
          ? `no image in the images folder (expected ${id}.png)`
          : `${images.length} images and none named ${id}.png`,
      );
    }
    imageFile = preferred ?? images[0]!;
  } catch (error) {
    if (error instanceof DataFileError) return failingRecipe(id, [folder], error);
    throw error;
  }
  if (!settings.withMasks) {
    return {
      id,
      files: [imageFile],
      decode: async () => {
        const { image, originalSize } = await decodeSampleImage(
          imageFile,
          settings.channels,
          settings.size,
        );
        return { id, image, originalSize, files: [imageFile] };
      },
    };
  }
  const masksFolder = path.join(folder, 'masks');
  let maskFiles: string[];
  try {
    maskFiles = await listImageFiles(masksFolder, 'masks');
    if (maskFiles.length === 0) {
      throw new DataFileError(masksFolder, 'missing-file', 'masks folder holds no mask images');
    }
  } catch (error) {
    if (error instanceof DataFileError) return failingRecipe(id, [imageFile], error);
    throw error;
  }
  const files = [imageFile, ...maskFiles];
  return { id, files, decode: () => decodeDsbSample(id, imageFile, maskFiles, settings) };
}

async function decodeDsbSample(
  id: string,
  imageFile: string,
  maskFiles: string[],
  settings: DsbSettings,
): Promise<Sample> {
  const header = await readImageHeader(imageFile);
  const originalSize = { width: header.width, height: header.height };
  const pixels = originalSize.width * originalSize.height;
  const union = new Uint8Array(pixels);
  const needLabels = settings.instances || settings.targets === 'instances';
  const labels = needLabels ? new Int32Array(pixels) : undefined;
  const [{ image }] = await Promise.all([
    decodeSampleImage(imageFile, settings.channels, settings.size),
    mapWithLimit(maskFiles, 4, async (maskFile, index) => {
      const mask = await readBinaryMask(maskFile, { maskThreshold: settings.maskThreshold });
      assertSameSize(maskFile, mask, imageFile, originalSize);
      const label = index + 1;
      for (const i of setPixelIndices(mask)) {
        union[i] = 1;
        // Overlapping instances (the fixed data has none): the lower-numbered mask wins,
        // whatever order the masks finish decoding in.
        if (labels && (labels[i] === 0 || labels[i]! > label)) labels[i] = label;
      }
    }),
  ]);
  const mask =
    settings.targets === 'instances'
      ? targetMask(labels!, originalSize, settings.size)
      : await finishMask({ data: union, ...originalSize }, settings.size);
  const sample: Sample = { id, image, mask, originalSize, files: [imageFile, ...maskFiles] };
  if (labels && settings.instances) {
    sample.instances = { labels, ...originalSize, count: maskFiles.length };
  }
  return sample;
}

/** The 3-class instance target of `labels` (original size) at `size` (see `targets`). */
function targetMask(labels: Int32Array, original: ImageSize, size: ImageSize | undefined) {
  const { width, height } = size ?? original;
  const resized = size
    ? resizeNearest({ data: labels, ...original, channels: 1 }, width, height).data
    : labels;
  const target = instanceTargets(resized, width, height, { boundaryWidth: 1 });
  return { data: Float32Array.from(target), width, height, channels: 1 };
}
