/**
 * The instance split of instance recipes (nuclei): its settings (`MODEL/postprocess.json`, chosen
 * by `evaluate --tune-postprocess` on validation images), the `map_split` score in `evaluate` and
 * the label images of `predict --instances`.
 *
 * Why a file beside the model, written by `evaluate`: the split's settings belong to the model
 * (a blurrier model wants a larger h), so `predict` must find them where it finds the weights;
 * tuning needs the final checkpoint and the very prediction path of scoring (resize or tiles,
 * TTA), which `evaluate` has, and it can be redone on an existing model without retraining.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  instanceScore,
  type LabelImage,
  labelComponents,
  type MaskPair,
  type RasterImage,
  splitInstances,
  toLabelImage,
} from '@unet/infer';
import { UsageError } from './parse-flags.js';
import { writeJsonAtomic } from './run-files.js';

/** The split's settings (see `SplitOptions` of @unet/infer: distance markers, 1 channel). */
export interface InstanceSplitSettings {
  /** Distance-peak height: lower splits more. */
  h: number;
  /** Objects with fewer pixels are merged into a neighbour or removed. */
  minArea: number;
}

/** Used when the model has no postprocess.json: phase 1's best h on true masks, its min area. */
export const DEFAULT_SPLIT: InstanceSplitSettings = { h: 1, minArea: 10 };

/** The grid `--tune-postprocess` searches, in this order (ties keep the first). */
export const SPLIT_GRID: readonly InstanceSplitSettings[] = [0.5, 1, 1.5, 2].flatMap((h) =>
  [0, 10, 20].map((minArea) => ({ h, minArea })),
);

/** `MODEL/postprocess.json`. */
export function postprocessFile(modelDir: string): string {
  return path.join(modelDir, 'postprocess.json');
}

/** The model's split settings, or the defaults when it has no postprocess.json. */
export async function readSplitSettings(
  modelDir: string,
): Promise<{ settings: InstanceSplitSettings; source: string }> {
  const file = postprocessFile(modelDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { settings: DEFAULT_SPLIT, source: 'defaults' };
  }
  let split: Partial<InstanceSplitSettings> | undefined;
  try {
    split = (JSON.parse(text) as { instances?: Partial<InstanceSplitSettings> }).instances;
  } catch (error) {
    throw new UsageError(`${file}: not JSON (${(error as Error).message})`);
  }
  const { h, minArea } = split ?? {};
  if (!(typeof h === 'number' && h > 0 && typeof minArea === 'number' && minArea >= 0)) {
    throw new UsageError(
      `${file}: expected { "instances": { "h": > 0, "minArea": >= 0 } }, got ${JSON.stringify(split)}`,
    );
  }
  return { settings: { h, minArea }, source: file };
}

/** Instances of a 1-channel probability (distance watershed). */
export function splitProbability(
  probability: RasterImage,
  threshold: number,
  settings: InstanceSplitSettings,
): LabelImage {
  return splitInstances(probability.data, probability.width, probability.height, {
    threshold,
    h: settings.h,
    minArea: settings.minArea,
  });
}

/** Options of {@link instanceSplitScoring}. */
export interface InstanceScoringOptions {
  modelDir: string;
  threshold: number;
  /** Score every setting of {@link SPLIT_GRID} and save the best as postprocess.json. */
  tune: boolean;
  /** Recorded in postprocess.json when tuning. */
  tunedOn: Record<string, unknown>;
}

/**
 * Scores `map_split` beside evaluate's connected-component `map`: `onPrediction` goes to
 * `evaluate({ onPrediction })`, `finish` returns the metrics (and writes postprocess.json when
 * tuning).
 */
export async function instanceSplitScoring(options: InstanceScoringOptions) {
  const { threshold, tune } = options;
  const current = tune
    ? { settings: DEFAULT_SPLIT, source: 'tuned' }
    : await readSplitSettings(options.modelDir);
  const grid = tune ? SPLIT_GRID : [current.settings];
  const sums = new Float64Array(grid.length);
  let images = 0;
  return {
    onPrediction(pair: MaskPair) {
      const { predicted } = pair;
      const { width, height } = predicted;
      // As evaluate's `map`: without true instances, the 8-connected components of the true mask.
      const truth =
        pair.instances === undefined
          ? labelComponents(pair.truth.data, width, height, { connectivity: 8 })
          : pair.instances instanceof Int32Array
            ? toLabelImage(pair.instances, width, height)
            : pair.instances;
      const probability: RasterImage =
        predicted.channels === 1
          ? predicted
          : {
              data: predicted.data.filter((_, i) => i % predicted.channels === 0),
              width,
              height,
              channels: 1,
            };
      for (const [k, settings] of grid.entries()) {
        const labels = splitProbability(probability, threshold, settings);
        sums[k] = sums[k]! + instanceScore(truth, labels).averagePrecision;
      }
      images += 1;
    },
    async finish(): Promise<Record<string, unknown>> {
      if (images === 0) return {};
      const scores = grid.map((settings, k) => ({ ...settings, map_split: sums[k]! / images }));
      let best = 0;
      for (let k = 1; k < scores.length; k++)
        if (scores[k]!.map_split > scores[best]!.map_split) best = k;
      const chosen = grid[best]!;
      const metrics: Record<string, unknown> = {
        map_split: scores[best]!.map_split,
        split: { method: 'distance watershed', threshold, ...chosen, source: current.source },
      };
      if (tune) {
        const file = postprocessFile(options.modelDir);
        await writeJsonAtomic(file, {
          instances: { ...chosen },
          tuned_on: { ...options.tunedOn, images, threshold },
          grid: scores,
        });
        metrics.split = { ...(metrics.split as object), source: file };
        metrics.map_split_grid = scores;
      }
      return metrics;
    },
  };
}
