/**
 * Object scores of `evaluate` beside the pixel scores, for recipes that opt in: `map_split`
 * (instance recipes, see instance-postprocess.ts) and the SpaceNet building score (polygon
 * recipes, see object-outputs.ts). Both score the same probabilities as the pixel scores (TTA and
 * tiling included), through `evaluate({ onPrediction })`.
 */
import path from 'node:path';
import type { SampleRef } from '@unet/data';
import type { MaskPair } from '@unet/infer';
import type { EVALUATE_FLAGS, FlagValues } from './command-spec.js';
import type { TrainTargets } from './instance-model.js';
import { instanceSplitScoring } from './instance-postprocess.js';
import { buildingScoring } from './object-outputs.js';
import { UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';

export async function evaluateObjects(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof EVALUATE_FLAGS>,
  refs: readonly SampleRef[],
  atModelSize: boolean | undefined,
  targets: TrainTargets,
  log: (line: string) => void,
) {
  const tune = flags['tune-postprocess'];
  if (tune && !recipe.instances) {
    throw new UsageError(
      `evaluate: --tune-postprocess tunes the instance split of instance recipes; ${recipe.program} has none`,
    );
  }
  if (tune && atModelSize) {
    throw new UsageError(
      'evaluate: --tune-postprocess needs true instances, which exist at original size only (drop --at-model-size)',
    );
  }
  const split =
    recipe.instances && !atModelSize
      ? await instanceSplitScoring({
          modelDir: flags.model,
          targets,
          threshold: flags.threshold,
          tune,
          tunedOn: {
            data: path.resolve(flags.data),
            split: flags.split ? path.resolve(flags.split) : null,
            tta: flags.tta,
          },
        })
      : null;
  if (tune && !flags.split) {
    log(
      'evaluate: tuning on every image of --data (no --split): report these scores as optimistic',
    );
  }
  let buildings: ReturnType<typeof buildingScoring> | null = null;
  if (recipe.polygons) {
    if (atModelSize) {
      log('evaluate: the building score needs whole scenes with their polygon files; skipped');
    } else {
      const files = new Map<string, string>();
      for (const ref of refs) {
        const polygons = ref.files[1];
        if (polygons !== undefined) files.set(ref.id, polygons);
      }
      buildings = buildingScoring(flags.threshold, files);
    }
  }
  return {
    onPrediction: async (pair: MaskPair) => {
      split?.onPrediction(pair);
      await buildings?.onPrediction(pair);
    },
    async finish(): Promise<Record<string, unknown>> {
      return { ...(await split?.finish()), ...buildings?.finish() };
    },
    /** Log rows of the metrics `finish` returned. */
    rows(metrics: Record<string, unknown>): [string, number | undefined][] {
      const rows: [string, number | undefined][] = [];
      if (typeof metrics.map_split === 'number') rows.push(['map_split', metrics.map_split]);
      const b = metrics.buildings as { precision: number; recall: number; f1: number } | undefined;
      if (b)
        rows.push(['building P', b.precision], ['building R', b.recall], ['building F1', b.f1]);
      return rows;
    },
  };
}
