/**
 * The jobs of a large scene, a BullMQ flow: tile-batch children each predict a run of the scene's
 * tiles into a partial file; the parent, once they are all done, blends them exactly as the
 * in-process tiled prediction does and writes the mask. Planning, prediction and blending are
 * `@unet/infer`'s (planTiledPrediction, predictTiles, TileBlender), so the stitched scene equals
 * `predict`'s bit for bit.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { encodePng } from '@unet/data';
import {
  channelOf,
  fixedInputSize,
  planTiledPrediction,
  predictTiles,
  TileBlender,
  type TiledPredictionPlan,
  thresholdRaster,
  toChannels,
} from '@unet/infer';
import { writeFileAtomic, writeOverlay } from '@unet/train';
import type { SegmentationRecipe } from '../recipe.js';
import {
  BadInputError,
  commitOutputs,
  PARTIAL_DIR,
  type PredictJobData,
  type PredictJobResult,
  readJobImage,
  type TileSettings,
  withPartialDir,
  workerId,
} from './predict-job.js';

/** The parent job of a scene's flow: stitches the tile batches and writes the mask. */
export interface SceneJobData extends Omit<PredictJobData, 'kind' | 'tile'> {
  kind: 'scene';
  tile: true | TileSettings;
  /** The image size the tiles were planned for. */
  width: number;
  height: number;
  /** Tiles in the plan. */
  tiles: number;
}

/** A child of a scene's flow: predicts tiles `start .. start + count - 1`. */
export interface TileBatchJobData extends Omit<SceneJobData, 'kind'> {
  kind: 'tiles';
  start: number;
  count: number;
}

/** What a tile-batch job returns (its parent reads the file). */
export interface TileBatchResult {
  /** Raw float32 model outputs, `count` tiles of `tileHeight x tileWidth x channels`. */
  file: string;
  start: number;
  count: number;
  channels: number;
  worker: string;
}

/** Where a scene's tile batches wait for their parent (removed once the mask is written). */
function sceneDir(data: SceneJobData | TileBatchJobData): string {
  return path.join(data.out, PARTIAL_DIR, `${data.runId}-${data.name}`);
}

/** The plan of the producer, remade from the model (whose input shape it was made from). */
function scenePlan(model: tf.LayersModel, data: SceneJobData | TileBatchJobData) {
  const plan = planTiledPrediction(
    model,
    data.width,
    data.height,
    data.tile === true ? {} : data.tile,
  );
  if (plan.origins.length !== data.tiles) {
    throw new BadInputError(
      `${data.model}: this model tiles ${data.file} in ${plan.origins.length} tiles, the job was planned with ${data.tiles} (model changed since predict?)`,
    );
  }
  return plan;
}

/** `tiles 17-32 of 196`, 1-based as people count. */
export function tileRange(data: TileBatchJobData): string {
  return `tiles ${data.start + 1}-${data.start + data.count} of ${data.tiles}`;
}

/**
 * Predicts one batch of a scene's tiles and writes their outputs atomically to a partial file
 * under `out`: a retried or stalled batch just writes the same file again.
 */
export async function runTileBatchJob(
  recipe: SegmentationRecipe,
  model: tf.LayersModel,
  data: TileBatchJobData,
  beforeCommit: () => Promise<void>,
): Promise<TileBatchResult> {
  const read = await readJobImage(recipe, model, data.file);
  if (read.width !== data.width || read.height !== data.height) {
    throw new BadInputError(
      `${data.file}: is ${read.width}x${read.height} now, was ${data.width}x${data.height} when enqueued`,
    );
  }
  // As predictProbability does before tiling.
  const image = toChannels(read, fixedInputSize(model).channels);
  const plan = scenePlan(model, data);
  const outputs = await predictTiles(model, image, plan, data.start, data.start + data.count);
  const file = path.join(sceneDir(data), `tiles-${data.start}.f32`);
  await beforeCommit();
  const { buffer, byteOffset, byteLength } = outputs.data;
  await writeFileAtomic(file, new Uint8Array(buffer, byteOffset, byteLength));
  return {
    file,
    start: data.start,
    count: data.count,
    channels: outputs.channels,
    worker: workerId,
  };
}

async function readBatch(batch: TileBatchResult, plan: TiledPredictionPlan) {
  const bytes = await fs.readFile(batch.file);
  const expected = batch.count * plan.tileWidth * plan.tileHeight * batch.channels * 4;
  if (bytes.byteLength !== expected) {
    throw new Error(`${batch.file}: ${bytes.byteLength} bytes, expected ${expected}`);
  }
  // A copy: a Float32Array needs 4-byte alignment, which a Buffer's offset need not have.
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + expected));
  return { start: batch.start, count: batch.count, channels: batch.channels, data };
}

/**
 * Stitches a scene from its tile batches (blended in tile order, as `predictTiled` does), then
 * thresholds and writes the mask (and overlay) as a single-image job does: into a temp folder,
 * renamed into place.
 */
export async function runSceneJob(
  recipe: SegmentationRecipe,
  model: tf.LayersModel,
  data: SceneJobData,
  batches: TileBatchResult[],
  beforeCommit: () => Promise<void>,
): Promise<PredictJobResult> {
  const plan = scenePlan(model, data);
  const blender = new TileBlender(plan);
  for (const batch of [...batches].sort((a, b) => a.start - b.start)) {
    blender.add(await readBatch(batch, plan));
  }
  const mask = thresholdRaster(channelOf(blender.finish(), 0), data.threshold);
  const result = await withPartialDir(data, async (partial) => {
    const maskFile = path.join(partial, 'mask.png');
    await encodePng(maskFile, mask);
    let overlayFile: string | undefined;
    if (data.overlay) {
      overlayFile = path.join(partial, 'overlay.png');
      await writeOverlay(overlayFile, await readJobImage(recipe, model, data.file), mask);
    }
    return commitOutputs(data, maskFile, overlayFile, beforeCommit);
  });
  await fs.rm(sceneDir(data), { recursive: true, force: true });
  return result;
}
