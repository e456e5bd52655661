import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { decodeImage, type RasterImage } from '@unet/data';
import { fixedInputSize, type TileOptions } from '@unet/infer';
import { predict } from '@unet/train';
import type { SegmentationRecipe } from '../recipe.js';

/** One image to segment, as a queued job carries it (paths are as every worker sees them). */
export interface PredictJobData {
  /** The run (one `predict --queue`) the job belongs to. */
  runId: string;
  /** The app that enqueued it (a worker of another app refuses the job). */
  program: string;
  /** Image id: the mask is `<out>/masks/<name>.png`. */
  name: string;
  /** Absolute path of the image. */
  file: string;
  /** Absolute path of the output folder. */
  out: string;
  /** Absolute path of the model folder. */
  model: string;
  threshold: number;
  overlay: boolean;
  /** `image` (or absent): one job segments the whole image; see `scene-jobs.ts` for the others. */
  kind?: 'image';
  /**
   * Tiled prediction as the producer's `predict` would run it (the recipe's or bundle's);
   * absent: the worker's recipe decides.
   */
  tile?: boolean | TileSettings;
}

/** Tile options as a job carries them (plain JSON). */
export type TileSettings = Omit<TileOptions, 'onProgress'>;

/** What a finished job returns. */
export interface PredictJobResult {
  maskFile: string;
  overlayFile?: string;
  /** `host:pid` of the worker that wrote it. */
  worker: string;
}

/** The temp folder of partial outputs under `out` (same file system, so renames are atomic). */
export const PARTIAL_DIR = '.queue-partial';

/** The mask file of an image id under an output folder. */
export function maskFileOf(out: string, name: string): string {
  return path.join(out, 'masks', `${name}.png`);
}

/** An error about the job's input that a retry cannot fix (BullMQ fails it at once). */
export class BadInputError extends Error {}

export const workerId = `${os.hostname()}:${process.pid}`;

/**
 * Segments one image exactly as `predict` does (same reader, model call, threshold and PNG
 * encoding), writing into a private temp folder under `out` and renaming the files into place:
 * a job killed midway leaves no half-written mask, and a retried one just writes it again.
 */
export async function runPredictJob(
  recipe: SegmentationRecipe,
  model: tf.LayersModel,
  data: PredictJobData,
  /** Called before the files are moved into place; throws when the job is no longer ours. */
  beforeCommit: () => Promise<void> = async () => {},
): Promise<PredictJobResult> {
  const image = await readJobImage(recipe, model, data.file);
  return withPartialDir(data, async (partial) => {
    const [result] = await predict({
      model,
      inputs: [{ name: data.name, image }],
      threshold: data.threshold,
      outDir: partial,
      overlays: data.overlay,
      keepMasks: false,
      tile: data.tile ?? recipe.tile ?? false,
    });
    if (!result?.maskFile) throw new Error(`predict wrote no mask for ${data.file}`);
    return commitOutputs(data, result.maskFile, result.overlayFile, beforeCommit);
  });
}

/**
 * Decodes a job's image as `predict` does (the recipe's reader, else the model's channel count).
 * @throws {@link BadInputError} naming the file when it cannot be read.
 */
export async function readJobImage(
  recipe: SegmentationRecipe,
  model: tf.LayersModel,
  file: string,
): Promise<RasterImage> {
  try {
    return recipe.readImage
      ? await recipe.readImage(file, recipe.channels)
      : await decodeImage(file, { channels: fixedInputSize(model).channels === 1 ? 1 : 3 });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? String(error);
    throw new BadInputError(reason.includes(file) ? reason : `${file}: ${reason}`);
  }
}

/** Runs `write` with a private temp folder under `out` (removed afterwards, whatever happens). */
export async function withPartialDir<T>(
  data: Pick<PredictJobData, 'out' | 'name'>,
  write: (dir: string) => Promise<T>,
): Promise<T> {
  const partial = path.join(
    data.out,
    PARTIAL_DIR,
    `${data.name}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    return await write(partial);
  } finally {
    await fs.rm(partial, { recursive: true, force: true });
  }
}

/**
 * Moves a mask (and overlay) written in a temp folder into `<out>/masks` (and `overlays`), the
 * mask last: its presence is what a rerun takes as "done".
 */
export async function commitOutputs(
  data: Pick<PredictJobData, 'out' | 'name'>,
  writtenMask: string,
  writtenOverlay: string | undefined,
  beforeCommit: () => Promise<void>,
): Promise<PredictJobResult> {
  const maskFile = maskFileOf(data.out, data.name);
  const done: PredictJobResult = { maskFile, worker: workerId };
  await beforeCommit();
  if (writtenOverlay) {
    done.overlayFile = path.join(data.out, 'overlays', `${data.name}.png`);
    await fs.mkdir(path.dirname(done.overlayFile), { recursive: true });
    await fs.rename(writtenOverlay, done.overlayFile);
  }
  await fs.mkdir(path.dirname(maskFile), { recursive: true });
  await fs.rename(writtenMask, maskFile);
  return done;
}
