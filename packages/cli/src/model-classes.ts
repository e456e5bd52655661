/**
 * The class list saved with a multi-class model (`MODEL/classes.json`, the `classes.json` format
 * of `@unet/data`), and the configured sparse loss registered under its own name so that models
 * compiled with it load again. Binary models have no class list: they are the one-class case.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { type ClassList, classListToJson, readClassList } from '@unet/data';
import { type Colour, defaultClassColours } from '@unet/infer';
import {
  getLoss,
  type LossFunction,
  registerLoss,
  type SparseClassOptions,
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
} from '@unet/losses';
import { writeFileAtomic } from '@unet/train';
import { UsageError } from './parse-flags.js';

/** Name of the class list beside `model.json`. */
export const MODEL_CLASSES_FILE = 'classes.json';

/** Writes `list` as `dir/classes.json`. */
export async function writeModelClasses(dir: string, list: ClassList): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, MODEL_CLASSES_FILE), classListToJson(list));
}

/**
 * The class list saved beside the model in `dir`, or null for a binary model. A model with more
 * than one output channel and no list is an error (its classes would have no names).
 */
export async function readModelClasses(
  command: string,
  dir: string,
  model: tf.LayersModel,
): Promise<ClassList | null> {
  const file = path.join(dir, MODEL_CLASSES_FILE);
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  const channels = model.outputs[0]?.shape.at(-1) ?? 1;
  if (!exists) {
    if (channels === 1) return null;
    throw new UsageError(
      `${command}: ${dir} holds a ${channels}-class model but no ${MODEL_CLASSES_FILE}; ` +
        'use the model folder written by train (OUT/model)',
    );
  }
  let list: ClassList;
  try {
    list = await readClassList(file);
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (list.classes.length !== channels) {
    throw new UsageError(
      `${command}: ${file} lists ${list.classes.length} classes, the model outputs ${channels}`,
    );
  }
  return list;
}

/** The colour of each class: its own, else the default palette. */
export function classColours(list: ClassList): Colour[] {
  const fallback = defaultClassColours(list.classes.length);
  return list.classes.map((c, i) => (c.color ? [...c.color] : fallback[i]!) as Colour);
}

const SPARSE_LOSSES: Record<
  string,
  (yTrue: tf.Tensor, yPred: tf.Tensor, options: SparseClassOptions) => tf.Scalar
> = {
  sparseCategoricalCrossentropy,
  sparseCategoricalDiceLoss,
  sparseCategoricalFocalLoss,
};

/** The sparse losses a multi-class recipe may name. */
export const SPARSE_LOSS_NAMES = Object.keys(SPARSE_LOSSES);

/**
 * Registers `base` (a sparse loss) configured with the list's ignore index and `classWeights`
 * under `name` (replacing an earlier registration), and returns the name to compile with.
 */
export function registerClassLoss(
  name: string,
  base: string,
  list: ClassList,
  classWeights: number[] | null,
): string {
  const loss = SPARSE_LOSSES[base];
  if (!loss) {
    throw new UsageError(
      `train: loss '${base}' is not a sparse multi-class loss (use ${SPARSE_LOSS_NAMES.join(', ')})`,
    );
  }
  // The readers reject a mask value outside the class list (naming the file), so the loss need
  // not read labels back mid-step: that read would keep the step out of the compiled graph.
  const options = {
    checkLabels: false,
    ...(list.ignoreIndex !== undefined ? { ignoreIndex: list.ignoreIndex } : {}),
    ...(classWeights ? { classWeights } : {}),
  };
  const fn: LossFunction = (yTrue, yPred) => loss(yTrue, yPred, options);
  registerLoss(name, fn, { override: true });
  getLoss(name);
  return name;
}
