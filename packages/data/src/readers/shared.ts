/**
 * Pieces every reader uses: listing folders strictly, decoding a sample's image at the requested
 * size, checking a mask against its image, and references that fail with a known error.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type BinaryMask, binaryMaskToRaster, resizeBinaryMask } from '../binary-mask.js';
import { DataFileError, describeError } from '../errors.js';
import { decodeImageResized, type RasterImage, readImageHeader } from '../image-io.js';
import type { SampleRecipe } from '../load.js';
import type { ImageSize } from '../sample.js';

/** File extensions read as images. */
export const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.tif',
  '.tiff',
  '.webp',
  '.gif',
]);

/** File name without its extension. */
export function stem(file: string): string {
  return path.basename(file, path.extname(file));
}

const naturalCollator = new Intl.Collator('en', { numeric: true });

/** Natural order: `2.png` before `10.png`. */
export function naturalCompare(a: string, b: string): number {
  return naturalCollator.compare(a, b);
}

/** Throws a `missing-folder` error naming `dir` unless it is an existing folder. */
export async function assertFolder(dir: string, role: string): Promise<void> {
  let isDirectory = false;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new DataFileError(
      dir,
      'missing-folder',
      `${role} folder not found (${describeError(error)})`,
    );
  }
  if (!isDirectory) throw new DataFileError(dir, 'missing-folder', `${role} is not a folder`);
}

/**
 * Entries of `dir` of one kind, following symbolic links (a dataset assembled from links to
 * files elsewhere is a common layout); hidden entries and dangling links are left out.
 */
export async function listEntries(dir: string, kind: 'file' | 'directory'): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    let isKind = kind === 'file' ? e.isFile() : e.isDirectory();
    if (e.isSymbolicLink()) {
      const target = await stat(path.join(dir, e.name)).catch(() => undefined);
      isKind = kind === 'file' ? !!target?.isFile() : !!target?.isDirectory();
    }
    if (isKind) names.push(e.name);
  }
  return names.sort(naturalCompare);
}

/** Image files directly inside `dir` (links followed), in natural order (hidden files ignored). */
export async function listImageFiles(dir: string, role: string): Promise<string[]> {
  await assertFolder(dir, role);
  return (await listEntries(dir, 'file'))
    .filter((name) => IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase()))
    .map((name) => path.join(dir, name));
}

/** A recipe whose loading fails with `error` (so listing problems obey `skipBadSamples`). */
export function failingRecipe(id: string, files: string[], error: DataFileError): SampleRecipe {
  return { id, files, error, decode: () => Promise.reject(error) };
}

/** Decodes the image of a sample, resized when `size` is given, with its original size. */
export async function decodeSampleImage(
  file: string,
  channels: 1 | 3 | undefined,
  size: ImageSize | undefined,
): Promise<{ image: RasterImage; originalSize: ImageSize }> {
  const header = await readImageHeader(file);
  const image = await decodeImageResized(
    file,
    channels ? { channels } : {},
    size ? { ...size, kind: 'image' } : undefined,
  );
  return { image, originalSize: { width: header.width, height: header.height } };
}

/** Throws a `size-mismatch` error naming the mask file unless it matches its image's size. */
export function assertSameSize(
  maskFile: string,
  mask: BinaryMask,
  imageFile: string,
  size: ImageSize,
) {
  if (mask.width !== size.width || mask.height !== size.height) {
    throw new DataFileError(
      maskFile,
      'size-mismatch',
      `mask is ${mask.width}x${mask.height} but its image ${imageFile} is ${size.width}x${size.height}`,
    );
  }
}

/** The public float mask at the requested size. */
export async function finishMask(
  mask: BinaryMask,
  size: ImageSize | undefined,
): Promise<RasterImage> {
  const resized = size ? await resizeBinaryMask(mask, size.width, size.height) : mask;
  return binaryMaskToRaster(resized);
}

/** Runs `task` over `items` with at most `limit` running at once; results in input order. */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
