/**
 * Class weights from the training masks, to stop frequent classes (road, sky) from drowning out
 * rare ones (poles, signs) in the loss.
 */
import type { Sample, SampleRef } from './sample.js';

/** Pixel counts per class over a set of masks. */
export interface ClassFrequencies {
  /** Pixels of each class over all masks. */
  pixels: number[];
  /** For each class, the labelled (non-ignored) pixels of the masks in which it occurs. */
  presentPixels: number[];
}

/** A class mask or a sample mask: anything holding one class index per pixel. */
export interface ClassIndexData {
  data: ArrayLike<number>;
}

/**
 * Counts class pixels over `masks`. Pixels equal to `ignoreIndex` count for nothing; any other
 * value outside `0 .. numClasses - 1` throws (it would be a class the model does not have).
 */
export function countClassPixels(
  masks: Iterable<ClassIndexData>,
  numClasses: number,
  ignoreIndex?: number,
): ClassFrequencies {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`numClasses must be a positive integer, got ${numClasses}`);
  }
  const pixels = new Array<number>(numClasses).fill(0);
  const presentPixels = new Array<number>(numClasses).fill(0);
  const counts = new Float64Array(numClasses);
  let maskIndex = 0;
  for (const mask of masks) {
    counts.fill(0);
    let labelled = 0;
    const { data } = mask;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v === ignoreIndex) continue;
      if (!(v >= 0 && v < numClasses && Number.isInteger(v))) {
        throw new Error(
          `mask ${maskIndex}: pixel ${i} holds ${v}, not a class index 0..${numClasses - 1}` +
            (ignoreIndex === undefined
              ? ' (no ignoreIndex given)'
              : ` nor the ignore value ${ignoreIndex}`),
        );
      }
      counts[v]!++;
      labelled++;
    }
    for (let c = 0; c < numClasses; c++) {
      if (counts[c]! === 0) continue;
      pixels[c]! += counts[c]!;
      presentPixels[c]! += labelled;
    }
    maskIndex++;
  }
  return { pixels, presentPixels };
}

/**
 * Median-frequency balancing (Eigen & Fergus 2015, used by SegNet for CamVid):
 * `weight_c = median(freq) / freq_c` with `freq_c = pixels of class c / labelled pixels of the
 * masks where c occurs`. Ignored pixels are not counted as labelled. A class that occurs in no
 * mask gets weight 0 (nothing to learn from; it then counts for nothing in a weighted loss) and
 * is left out of the median.
 *
 * @example
 * ```ts
 * const weights = medianFrequencyWeights(samples.map((s) => s.mask!), 11, 11);
 * ```
 */
export function medianFrequencyWeights(
  masks: Iterable<ClassIndexData>,
  numClasses: number,
  ignoreIndex?: number,
): number[] {
  return weightsFromFrequencies(countClassPixels(masks, numClasses, ignoreIndex));
}

/** {@link medianFrequencyWeights} from counts already made with {@link countClassPixels}. */
export function weightsFromFrequencies({ pixels, presentPixels }: ClassFrequencies): number[] {
  const freq = pixels.map((n, c) => (n > 0 ? n / presentPixels[c]! : 0));
  const present = freq.filter((f) => f > 0).sort((a, b) => a - b);
  if (present.length === 0) throw new Error('no labelled pixel in any mask: cannot weight classes');
  const mid = present.length >> 1;
  // Even count: mean of the two middle values, as numpy.median (what SegNet's script used).
  const median = present.length % 2 === 1 ? present[mid]! : (present[mid - 1]! + present[mid]!) / 2;
  return freq.map((f) => (f > 0 ? median / f : 0));
}

/**
 * {@link medianFrequencyWeights} of training samples or lazy references, loading one sample at a
 * time so a large set never has all its masks in memory (what a `classWeights: 'auto'` setting
 * needs).
 * @throws naming the sample when one has no mask or holds a value that is not a class.
 */
export async function medianFrequencyWeightsOfSamples(
  samples: readonly (Sample | SampleRef)[],
  numClasses: number,
  ignoreIndex?: number,
): Promise<number[]> {
  const total: ClassFrequencies = {
    pixels: new Array<number>(numClasses).fill(0),
    presentPixels: new Array<number>(numClasses).fill(0),
  };
  for (const item of samples) {
    const sample = 'load' in item ? await item.load() : item;
    if (!sample.mask) throw new Error(`sample "${sample.id}" has no mask to count classes in`);
    let counts: ClassFrequencies;
    try {
      counts = countClassPixels([sample.mask], numClasses, ignoreIndex);
    } catch (error) {
      const detail =
        error instanceof Error ? error.message.replace(/^mask 0: /, '') : String(error);
      throw new Error(`sample "${sample.id}" (${sample.files[1] ?? sample.files[0]}): ${detail}`);
    }
    for (let c = 0; c < numClasses; c++) {
      total.pixels[c]! += counts.pixels[c]!;
      total.presentPixels[c]! += counts.presentPixels[c]!;
    }
  }
  return weightsFromFrequencies(total);
}
