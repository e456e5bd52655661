/**
 * What every reader produces: samples (image + mask + original size), lazy references to them,
 * and the loading options they share.
 */
import type { LabelImage, RasterImage } from '@unet/infer';

/** Width and height in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** One decoded training/evaluation example. */
export interface Sample {
  /** Stable identifier (file or folder name without extension). */
  id: string;
  /** HWC float32 in [0, 1], resized to the requested size if one was given. */
  image: RasterImage;
  /**
   * 1 channel, same size as `image`: float32 exactly 0 or 1 for binary masks, or class indices
   * (and the ignore index) when read with a class list (`classes` option). Absent only for sets
   * that have no masks at all (e.g. DSB2018 test folders); a missing mask file is an error, never
   * an empty mask.
   */
  mask?: RasterImage;
  /** Size of the source image before resizing, to map predictions back. */
  originalSize: ImageSize;
  /** Per-object labels at the original size (DSB2018). */
  instances?: LabelImage;
  /** Source files this sample was built from (image first). */
  files: string[];
}

/** A {@link Sample} whose mask is present. */
export type LabeledSample = Sample & { mask: RasterImage };

/** True when the sample has a mask. */
export function hasMask(sample: Sample): sample is LabeledSample {
  return sample.mask !== undefined;
}

/** Counters shared by the references of one listing. */
export interface LoadStats {
  /** Samples served from the on-disk cache. */
  cacheHits: number;
  /** Samples decoded from their source files (and then cached, if caching is on). */
  cacheMisses: number;
  /** Image/mask/polygon files decoded (0 on a fully cached run). */
  decodedFiles: number;
}

/**
 * A sample that is not decoded yet. Lists of these come from the `list*` functions; pass them to
 * {@link loadSamples} or directly to `toTfDataset` to decode while training.
 */
export interface SampleRef {
  id: string;
  /** Source files (image first); part of the cache key with their size and mtime. */
  files: string[];
  /**
   * Decodes (or reads from cache) this sample. Throws a `DataFileError` for bad files. The cache
   * key (the files' size and mtime) is taken on the first load; list again to pick up edits.
   */
  load(): Promise<Sample>;
  /** Counters of the listing this reference belongs to. */
  readonly stats: LoadStats;
}

/** Options shared by all readers. */
export interface ReadOptions {
  /**
   * Resize images and masks to this size (`number` = square). Unset: keep each image's size
   * (then images of different sizes cannot be batched together).
   */
  size?: number | ImageSize;
  /** Image channels: 1 (grey) or 3 (RGB). Default depends on the reader. */
  channels?: 1 | 3;
  /**
   * On-disk cache of decoded+resized samples. A folder path, `true` for the default folder
   * (`node_modules/.cache/unet-data` under the working directory, or the OS temp folder), or
   * `false` to disable. Default `true`. Entries are keyed by source path, size and mtime plus
   * all settings, so edited files are decoded again.
   */
  cache?: boolean | string;
  /**
   * Skip samples with bad files, printing a warning for each, instead of throwing. Skipped
   * samples are listed in the result's `skipped`.
   */
  skipBadSamples?: boolean;
  /** Progress bar on stderr: `'auto'` (default) = only when stderr is a TTY. */
  progress?: boolean | 'auto';
  /** Samples decoded at the same time (default 4). */
  concurrency?: number;
  /** Where warnings go (default: stderr). */
  onWarning?: (message: string) => void;
  /** See {@link MaskReadOptions.maskThreshold}. */
  maskThreshold?: number;
}

/** Resolves the `size` option. */
export function resolveSize(size: ReadOptions['size']): ImageSize | undefined {
  if (size === undefined) return undefined;
  const resolved = typeof size === 'number' ? { width: size, height: size } : size;
  for (const v of [resolved.width, resolved.height]) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(
        `size must be a positive integer or { width, height }, got ${JSON.stringify(size)}`,
      );
    }
  }
  return resolved;
}
