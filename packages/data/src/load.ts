/**
 * Turning listed samples into loaded ones: caching, concurrency, progress, and the
 * strict-or-skip policy for bad files.
 */
import { resolveCacheDir, SampleCache } from './cache.js';
import { DataFileError, type SkippedSample } from './errors.js';
import { createProgressBar } from './progress.js';
import type { LoadStats, ReadOptions, Sample, SampleRef } from './sample.js';

/** How a reader builds one sample from its files (every file listed is decoded). */
export interface SampleRecipe {
  id: string;
  /** Source files, image first. All of them are part of the cache key. */
  files: string[];
  decode(): Promise<Sample>;
  /** Set when listing already found the sample unusable: loading throws it. */
  error?: DataFileError;
}

/**
 * Wraps recipes into {@link SampleRef}s that consult the on-disk cache. `settings` must contain
 * everything (besides the files) that changes the decoded result; it is part of the cache key.
 */
export function createSampleRefs(
  reader: string,
  recipes: readonly SampleRecipe[],
  settings: unknown,
  options: Pick<ReadOptions, 'cache'> = {},
): SampleRef[] {
  const cacheDir = resolveCacheDir(options.cache);
  const cache = cacheDir ? new SampleCache(cacheDir) : undefined;
  const stats: LoadStats = { cacheHits: 0, cacheMisses: 0, decodedFiles: 0 };
  return recipes.map((recipe) => {
    // Fingerprinted on the first load only: a DSB2018 sample has dozens of mask files, and
    // stat-ing them all on every epoch cost a tenth of the epoch. List again to see edits.
    let key: Promise<string> | undefined;
    return {
      id: recipe.id,
      files: recipe.files,
      stats,
      async load(): Promise<Sample> {
        if (recipe.error) throw recipe.error;
        if (!cache) {
          stats.cacheMisses++;
          const sample = await recipe.decode();
          stats.decodedFiles += recipe.files.length;
          return sample;
        }
        key ??= cache.keyFor(recipe.files, { reader, settings });
        const entry = await key.catch((error: unknown) => {
          key = undefined;
          throw error;
        });
        const cached = await cache.get(entry);
        if (cached) {
          stats.cacheHits++;
          return cached;
        }
        stats.cacheMisses++;
        const sample = await recipe.decode();
        stats.decodedFiles += recipe.files.length;
        await cache.put(entry, sample);
        return sample;
      },
    };
  });
}

/** What a reader returns. */
export interface LoadResult {
  /** Loaded samples, in listing order (sorted by id). */
  samples: Sample[];
  /** Samples left out because of bad files (only with `skipBadSamples`). */
  skipped: SkippedSample[];
  /** Cache hits/misses and decoded files during this load. */
  stats: LoadStats;
}

/** Options of {@link loadSamples}. */
export type LoadSamplesOptions = Pick<
  ReadOptions,
  'skipBadSamples' | 'progress' | 'concurrency' | 'onWarning'
> & {
  /** Label of the progress bar and of messages (e.g. the dataset folder). */
  label?: string;
};

/** Writes a warning line to stderr. */
export function warnOnStderr(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/**
 * Loads referenced samples with bounded concurrency and a progress bar. A bad file throws its
 * {@link DataFileError}, or with `skipBadSamples` is reported as a warning and counted in
 * `skipped`. Loading nothing at all is an `empty-dataset` error.
 */
export async function loadSamples(
  refs: readonly SampleRef[],
  options: LoadSamplesOptions = {},
): Promise<LoadResult> {
  const label = options.label ?? 'samples';
  if (refs.length === 0) {
    throw new DataFileError(label, 'empty-dataset', 'no samples to load');
  }
  const warn = options.onWarning ?? warnOnStderr;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const progress = createProgressBar(label, refs.length, { enabled: options.progress ?? 'auto' });
  const before = snapshotStats(refs);
  const loaded: (Sample | undefined)[] = new Array(refs.length);
  const skippedAt: (SkippedSample | undefined)[] = new Array(refs.length);
  let next = 0;
  let done = 0;
  let failure: unknown;

  const worker = async () => {
    while (failure === undefined && next < refs.length) {
      const index = next++;
      const ref = refs[index]!;
      try {
        loaded[index] = await ref.load();
      } catch (error) {
        if (options.skipBadSamples && error instanceof DataFileError) {
          skippedAt[index] = { id: ref.id, error };
          warn(`skipping sample "${ref.id}": ${error.message}`);
        } else {
          failure ??= error;
        }
      }
      progress.update(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
  } finally {
    progress.finish();
  }
  if (failure !== undefined) throw failure;
  const samples = loaded.filter((s): s is Sample => s !== undefined);
  const skipped = skippedAt.filter((s): s is SkippedSample => s !== undefined);
  if (samples.length === 0) {
    throw new DataFileError(
      label,
      'empty-dataset',
      `all ${refs.length} samples were skipped because of bad files`,
    );
  }
  if (skipped.length > 0) {
    warn(`${label}: skipped ${skipped.length} of ${refs.length} samples with bad files`);
  }
  const after = snapshotStats(refs);
  return {
    samples,
    skipped,
    stats: {
      cacheHits: after.cacheHits - before.cacheHits,
      cacheMisses: after.cacheMisses - before.cacheMisses,
      decodedFiles: after.decodedFiles - before.decodedFiles,
    },
  };
}

function snapshotStats(refs: readonly SampleRef[]): LoadStats {
  const seen = new Set<LoadStats>();
  const total: LoadStats = { cacheHits: 0, cacheMisses: 0, decodedFiles: 0 };
  for (const ref of refs) {
    if (seen.has(ref.stats)) continue;
    seen.add(ref.stats);
    total.cacheHits += ref.stats.cacheHits;
    total.cacheMisses += ref.stats.cacheMisses;
    total.decodedFiles += ref.stats.decodedFiles;
  }
  return total;
}
