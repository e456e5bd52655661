import { readImageHeader } from '@unet/data';
import { planTiledPrediction } from '@unet/infer';
import { readModelInputShape } from '@unet/train';
import { UsageError } from '../parse-flags.js';
import type { PredictJobData, TileSettings } from './predict-job.js';
import type { SceneJobData, TileBatchJobData } from './scene-jobs.js';
import { imageId } from './shard.js';

/** The jobs of one `predict --queue` run: whole images, and scenes split into tile batches. */
export interface QueuePlan {
  images: { jobId: string; data: PredictJobData }[];
  scenes: {
    jobId: string;
    data: SceneJobData;
    batches: { jobId: string; data: TileBatchJobData }[];
  }[];
}

/** What every job of a run shares. */
export type RunSettings = Omit<PredictJobData, 'name' | 'file' | 'kind' | 'tile'>;

/**
 * Splits a run into jobs. With tiling on, an image the model covers in more than one tile becomes
 * a scene: tile batches of about `tilesPerJob` tiles (a whole number of the predictor's batches,
 * so each batch job makes the very model calls `predict` makes) and a parent that stitches them.
 * The plan comes from the image header and the model's input shape, so no weights are loaded.
 */
export async function planQueueJobs(
  files: string[],
  run: RunSettings,
  tile: boolean | TileSettings | undefined,
  tilesPerJob: number,
): Promise<QueuePlan> {
  const plan: QueuePlan = { images: [], scenes: [] };
  const shape = tile ? await modelInputShape(run.model) : undefined;
  for (const [i, file] of files.entries()) {
    const jobId = `${run.runId}-${i}`;
    const data: PredictJobData = { ...run, name: imageId(file), file, tile };
    // An unreadable image stays a whole-image job, whose worker reports the file and reason.
    const header = shape ? await readImageHeader(file).catch(() => null) : null;
    if (!tile || !shape || !header) {
      plan.images.push({ jobId, data });
      continue;
    }
    const options = tile === true ? {} : tile;
    const tiling = planTiledPrediction(
      { inputs: [{ shape }] },
      header.width,
      header.height,
      options,
    );
    const tiles = tiling.origins.length;
    if (tiles <= 1) {
      plan.images.push({ jobId, data });
      continue;
    }
    const scene: SceneJobData = {
      ...data,
      kind: 'scene',
      tile,
      width: header.width,
      height: header.height,
      tiles,
    };
    const per = Math.max(1, Math.ceil(tilesPerJob / tiling.batchSize)) * tiling.batchSize;
    const batches = [];
    for (let start = 0; start < tiles; start += per) {
      const count = Math.min(per, tiles - start);
      batches.push({
        jobId: `${jobId}-t${start}`,
        data: { ...scene, kind: 'tiles' as const, start, count },
      });
    }
    plan.scenes.push({ jobId, data: scene, batches });
  }
  return plan;
}

async function modelInputShape(model: string): Promise<(number | null)[]> {
  try {
    return await readModelInputShape(model);
  } catch (error) {
    throw new UsageError(
      `predict: cannot plan tiles with the model in ${model}: ${(error as Error).message}`,
    );
  }
}
