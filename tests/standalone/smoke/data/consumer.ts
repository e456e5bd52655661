// Type-checked (tsc, module NodeNext, strict) against the installed @unet/data: the public types
// must be usable from a consumer's own TypeScript.
import {
  DataFileError,
  type DatasetSplit,
  decodeImage,
  encodePng,
  hasMask,
  type ImageFolderOptions,
  type LabeledSample,
  type LoadResult,
  listImageFolder,
  type RasterImage,
  readImageFolder,
  type Sample,
  type SampleRef,
  splitDataset,
  type TfBatch,
  toTfDataset,
} from '@unet/data';

export async function load(root: string): Promise<DatasetSplit<LabeledSample> | undefined> {
  const options: ImageFolderOptions = { size: 64, channels: 3, cache: false, maskThreshold: 0.5 };
  try {
    const result: LoadResult = await readImageFolder(root, options);
    const labeled: LabeledSample[] = result.samples.filter(hasMask);
    return splitDataset(labeled, { validation: 0.2, seed: 1 });
  } catch (error) {
    if (error instanceof DataFileError) console.error(error.file, error.problem, error.message);
    return undefined;
  }
}

export async function batches(root: string): Promise<TfBatch[]> {
  const refs: SampleRef[] = await listImageFolder(root, { size: 32 });
  const first: Sample = await refs[0]!.load();
  console.log(first.id, first.originalSize.width);
  return toTfDataset(refs, { batchSize: 2, augment: true, seed: 7 }).toArray();
}

export async function invert(file: string, out: string): Promise<RasterImage> {
  const image: RasterImage = await decodeImage(file, { channels: 1 });
  const inverted: RasterImage = { ...image, data: image.data.map((v) => 1 - v) };
  await encodePng(out, inverted);
  return inverted;
}

// @ts-expect-error: a raster's pixels are a Float32Array.
const wrong: RasterImage = { data: [0, 1], width: 2, height: 1, channels: 1 };
console.log(wrong);
