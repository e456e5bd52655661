/** Deterministic train/validation/test splits. */
import { hashString } from './random.js';

/** Options of {@link splitDataset}. */
export interface SplitOptions {
  /** Fraction of items for validation, in [0, 1) (default 0.1). */
  validation?: number;
  /** Fraction of items for test, in [0, 1) (default 0). */
  test?: number;
  /** Seed (default 42). Same seed + same ids = same split. */
  seed?: number | string;
}

/** The three parts of a split; each keeps the input order. */
export interface DatasetSplit<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/**
 * Splits items by id, deterministically: items are ranked by a hash of (seed, id), the first
 * `round(n * test)` go to test, the next `round(n * validation)` to validation, the rest to
 * train. The result depends only on the seed and the ids, not on the listing order, and an item
 * keeps its part when others are added or removed (except near the cut-offs).
 *
 * @example
 * ```ts
 * const { train, validation } = splitDataset(samples, { validation: 0.2, seed: 7 });
 * ```
 */
export function splitDataset<T extends { id: string }>(
  items: readonly T[],
  options: SplitOptions = {},
): DatasetSplit<T> {
  const validation = options.validation ?? 0.1;
  const test = options.test ?? 0;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new Error(
      `validation (${validation}) and test (${test}) must be >= 0 and leave some items for training`,
    );
  }
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) throw new Error(`duplicate id "${item.id}": split needs unique ids`);
    ids.add(item.id);
  }
  const seed = String(options.seed ?? 42);
  const ranked = items
    .map((item, index) => ({ index, key: hashString(`${seed}\u0000${item.id}`), id: item.id }))
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const testCount = Math.round(items.length * test);
  const validationCount = Math.round(items.length * validation);
  const part = new Array<keyof DatasetSplit<T>>(items.length);
  ranked.forEach((entry, rank) => {
    part[entry.index] =
      rank < testCount ? 'test' : rank < testCount + validationCount ? 'validation' : 'train';
  });
  const split: DatasetSplit<T> = { train: [], validation: [], test: [] };
  items.forEach((item, index) => {
    split[part[index]!].push(item);
  });
  return split;
}
