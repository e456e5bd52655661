/**
 * The instance-aware recipe of instance recipes (`train --targets instances`): a 3-class model
 * (background, interior, boundary) trained through the many-class path on `instanceTargets`, and
 * `MODEL/targets.json`, which tells `evaluate` and `predict` that the model's 3 channels are
 * instance classes: they score and write the binary mask of its foreground (interior + boundary)
 * and split objects on its interior, not per class.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { type ClassList, INSTANCE_TARGET_CLASSES } from '@unet/data';
import { writeFileAtomic } from '@unet/train';
import { UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';

/** What a model was trained on: the union mask, or the 3 instance classes. */
export type TrainTargets = 'binary' | 'instances';

/** Name of the file beside `model.json` that marks an instance model. */
export const MODEL_TARGETS_FILE = 'targets.json';

/**
 * The targets `train` learns (`--targets`) and their class list (null: binary or `--classes`).
 * @throws {@link UsageError} for `--targets instances` in a recipe without instances or with
 * `--classes`
 */
export function trainTargets(
  recipe: SegmentationRecipe,
  flags: { targets: TrainTargets; classes?: string },
): { targets: TrainTargets; classes: ClassList | null } {
  if (flags.targets === 'binary') return { targets: 'binary', classes: null };
  if (!recipe.instances) {
    throw new UsageError(
      `train: --targets instances needs an instance recipe (${recipe.program} segments no separate objects)`,
    );
  }
  if (flags.classes !== undefined) {
    throw new UsageError(
      'train: --targets instances has its own classes (background, interior, boundary); drop --classes',
    );
  }
  return { targets: 'instances', classes: INSTANCE_TARGET_CLASSES };
}

/** Marks the model in `dir` as an instance model (after its classes.json is written). */
export async function writeModelTargets(dir: string, targets: TrainTargets): Promise<void> {
  const record = { targets, boundaryWidth: 1, foreground: 'interior + boundary' };
  await writeFileAtomic(path.join(dir, MODEL_TARGETS_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * What the model in `dir` was trained on: `'instances'` when its targets.json says so, else
 * `'binary'` (models without the file, binary or many-class).
 */
export async function readModelTargets(command: string, dir: string): Promise<TrainTargets> {
  const file = path.join(dir, MODEL_TARGETS_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return 'binary';
  }
  let targets: unknown;
  try {
    targets = (JSON.parse(text) as { targets?: unknown }).targets;
  } catch (error) {
    throw new UsageError(`${command}: ${file}: not JSON (${(error as Error).message})`);
  }
  if (targets !== 'binary' && targets !== 'instances') {
    throw new UsageError(
      `${command}: ${file}: "targets" must be "binary" or "instances", got ${JSON.stringify(targets)}`,
    );
  }
  return targets;
}

/**
 * Refuses an instance model where `command` would read its 3 channels as a binary model's
 * (channel 0 is the background): the queue's jobs and export bundles predict one channel.
 */
export async function refuseInstanceModel(command: string, dir: string, what: string) {
  if ((await readModelTargets(command, dir)) === 'instances') {
    throw new UsageError(
      `${command}: ${what} does not run instance models (${dir} was trained with --targets instances); use predict without --queue`,
    );
  }
}
