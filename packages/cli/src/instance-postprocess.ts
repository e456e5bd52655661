/**
 * The instance split of instance recipes (nuclei): its settings (`MODEL/postprocess.json`, chosen
 * by `evaluate --tune-postprocess` on validation images), the `map_split` score in `evaluate` and
 * the label images of `predict --instances`. A binary model's probability is split by the
 * distance watershed (h, min area); an instance model's (`train --targets instances`) on its
 * predicted interior (interior threshold, min area).
 *
 * Why a file beside the model, written by `evaluate`: the split's settings belong to the model
 * (a blurrier model wants a larger h), so `predict` must find them where it finds the weights;
 * tuning needs the final checkpoint and the very prediction path of scoring (resize or tiles,
 * TTA), which `evaluate` has, and it can be redone on an existing model without retraining.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  channelOf,
  instanceScore,
  type LabelImage,
  labelComponents,
  type MaskPair,
  type RasterImage,
  splitInstances,
  toLabelImage,
} from '@unet/infer';
import type { TrainTargets } from './instance-model.js';
import { UsageError } from './parse-flags.js';
import { writeJsonAtomic } from './run-files.js';

/** Split settings of a binary model (1 channel): distance-transform markers. */
export interface DistanceSplitSettings {
  markers?: 'distance';
  /** Distance-peak height: lower splits more. */
  h: number;
  /** Objects with fewer pixels are merged into a neighbour or removed. */
  minArea: number;
}

/** Split settings of an instance model (`train --targets instances`): interior markers. */
export interface InteriorSplitSettings {
  markers: 'interior';
  /** Interior probability above which a foreground pixel seeds an object. */
  interiorThreshold: number;
  /** Objects with fewer pixels are merged into a neighbour or removed. */
  minArea: number;
}

/** The split's settings (see `SplitOptions` of @unet/infer), by the kind of model. */
export type InstanceSplitSettings = DistanceSplitSettings | InteriorSplitSettings;

/** Used when a binary model has no postprocess.json: phase 1's best h on true masks, its min area. */
export const DEFAULT_SPLIT: InstanceSplitSettings = { h: 1, minArea: 10 };

/** Used when an instance model has no postprocess.json: splitInstances' own defaults. */
export const DEFAULT_INTERIOR_SPLIT: InstanceSplitSettings = {
  markers: 'interior',
  interiorThreshold: 0.5,
  minArea: 10,
};

/** The grid `--tune-postprocess` searches for a binary model, in this order (ties keep the first). */
export const SPLIT_GRID: readonly InstanceSplitSettings[] = [0.5, 1, 1.5, 2].flatMap((h) =>
  [0, 10, 20].map((minArea) => ({ h, minArea })),
);

/** The grid `--tune-postprocess` searches for an instance model. */
export const INTERIOR_SPLIT_GRID: readonly InstanceSplitSettings[] = [
  0.3, 0.4, 0.5, 0.6, 0.7,
].flatMap((interiorThreshold) =>
  [0, 10, 20].map((minArea) => ({ markers: 'interior' as const, interiorThreshold, minArea })),
);

/** `MODEL/postprocess.json`. */
export function postprocessFile(modelDir: string): string {
  return path.join(modelDir, 'postprocess.json');
}

/** `instances` of a postprocess.json, unchecked. */
type SettingsJson = {
  markers?: unknown;
  h?: unknown;
  interiorThreshold?: unknown;
  minArea?: unknown;
};

/** Settings of `split` when they are valid for a model trained on `targets`, else null. */
function validSettings(
  split: SettingsJson | undefined,
  targets: TrainTargets,
): InstanceSplitSettings | null {
  const { h, minArea, interiorThreshold } = split ?? {};
  if (!(typeof minArea === 'number' && minArea >= 0)) return null;
  if (targets === 'instances') {
    const ok =
      split?.markers === 'interior' &&
      typeof interiorThreshold === 'number' &&
      interiorThreshold > 0 &&
      interiorThreshold < 1;
    return ok ? { markers: 'interior', interiorThreshold, minArea } : null;
  }
  const ok = split?.markers !== 'interior' && typeof h === 'number' && h > 0;
  return ok ? { h, minArea } : null;
}

/**
 * The split settings of the model in `modelDir` (trained on `targets`), or the defaults when it
 * has no postprocess.json.
 */
export async function readSplitSettings(
  modelDir: string,
  targets: TrainTargets = 'binary',
): Promise<{ settings: InstanceSplitSettings; source: string }> {
  const file = postprocessFile(modelDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    const settings = targets === 'instances' ? DEFAULT_INTERIOR_SPLIT : DEFAULT_SPLIT;
    return { settings, source: 'defaults' };
  }
  let split: SettingsJson | undefined;
  try {
    split = (JSON.parse(text) as { instances?: typeof split }).instances;
  } catch (error) {
    throw new UsageError(`${file}: not JSON (${(error as Error).message})`);
  }
  const settings = validSettings(split, targets);
  if (settings === null) {
    const expected =
      targets === 'instances'
        ? '{ "instances": { "markers": "interior", "interiorThreshold": in (0, 1), "minArea": >= 0 } } (an instance model)'
        : '{ "instances": { "h": > 0, "minArea": >= 0 } }';
    throw new UsageError(`${file}: expected ${expected}, got ${JSON.stringify(split)}`);
  }
  return { settings, source: file };
}

/**
 * Instances of a prediction: a 1-channel probability split by the distance watershed, or the 3
 * channels (foreground, interior, boundary) of an instance model split on its interior.
 */
export function splitProbability(
  probability: RasterImage,
  threshold: number,
  settings: InstanceSplitSettings,
): LabelImage {
  const { width, height } = probability;
  if (settings.markers === 'interior') {
    if (probability.channels !== 3) {
      throw new Error(
        `interior markers need the 3 channels of an instance model, got ${probability.channels}`,
      );
    }
    return splitInstances(probability.data, width, height, {
      channels: 3,
      threshold,
      interiorThreshold: settings.interiorThreshold,
      minArea: settings.minArea,
    });
  }
  return splitInstances(channelOf(probability, 0).data, width, height, {
    threshold,
    h: settings.h,
    minArea: settings.minArea,
  });
}

/** Options of {@link instanceSplitScoring}. */
export interface InstanceScoringOptions {
  modelDir: string;
  /** What the model was trained on: binary (distance markers) or instances (interior markers). */
  targets: TrainTargets;
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
  const interior = options.targets === 'instances';
  const current = tune
    ? { settings: interior ? DEFAULT_INTERIOR_SPLIT : DEFAULT_SPLIT, source: 'tuned' }
    : await readSplitSettings(options.modelDir, options.targets);
  const grid = tune ? (interior ? INTERIOR_SPLIT_GRID : SPLIT_GRID) : [current.settings];
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
      for (const [k, settings] of grid.entries()) {
        const labels = splitProbability(predicted, threshold, settings);
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
        split: {
          method: interior ? 'interior-marker watershed' : 'distance watershed',
          threshold,
          ...chosen,
          source: current.source,
        },
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
