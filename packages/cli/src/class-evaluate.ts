/**
 * `evaluate` of a multi-class model (one with `classes.json`): one confusion matrix over the
 * whole set at the labels' own size, per-class IoU and Dice, mean IoU (void ignored, classes
 * absent from both truth and prediction left out) and pixel accuracy.
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { type ClassList, encodePng, hasMask } from '@unet/data';
import { argmaxClasses, ConfusionMatrix, confusionCsv, perClassCsv } from '@unet/infer';
import { writeFileAtomic } from '@unet/train';
import { classProbabilities, renderConfusion } from './class-images.js';
import type { EVALUATE_FLAGS, FlagValues } from './command-spec.js';
import { UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';
import { writeJsonAtomic } from './run-files.js';

const round = (v: number | null) => (v === null ? null : Number(v.toFixed(6)));

/** Scores `model` on `--data` (`--subset`) and writes metrics.json, per_class.csv, confusion.csv/png. */
export async function evaluateClasses(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof EVALUATE_FLAGS>,
  model: tf.LayersModel,
  list: ClassList,
  log: (line: string) => void,
): Promise<void> {
  const k = list.classes.length;
  const names = list.classes.map((c) => c.name);
  const subset = flags.subset ?? recipe.subsets?.evaluate;
  const refs = await recipe.list(flags.data, { channels: recipe.channels, subset, classes: list });
  if (refs.length === 0) throw new UsageError(`evaluate: no samples in ${flags.data}`);
  const matrix = new ConfusionMatrix(k, { ignoreIndex: list.ignoreIndex });
  for (const [i, ref] of refs.entries()) {
    const sample = await ref.load();
    if (!hasMask(sample))
      throw new UsageError(`evaluate: ${sample.files[0]} has no mask to score against`);
    const probabilities = await classProbabilities(model, sample.image, recipe.tile ?? false);
    matrix.add(sample.mask.data, argmaxClasses(probabilities.data, k));
    if ((i + 1) % 25 === 0) log(`[${i + 1}/${refs.length}] scored`);
  }
  const summary = matrix.summary();
  const out = flags.out;
  const perClass = Object.fromEntries(
    summary.perClass.map((s) => [
      names[s.index]!,
      {
        index: s.index,
        iou: round(s.iou),
        dice: round(s.dice),
        recall: round(s.recall),
        true_pixels: s.truePixels,
        predicted_pixels: s.predictedPixels,
      },
    ]),
  );
  const metrics = {
    images: refs.length,
    classes: k,
    ignore_index: list.ignoreIndex ?? null,
    subset: subset ?? null,
    evaluated_at: 'original size',
    miou: round(summary.meanIoU),
    mean_dice: round(summary.meanDice),
    pixel_accuracy: round(summary.pixelAccuracy),
    pixels: summary.pixels,
    per_class: perClass,
    model: path.resolve(flags.model),
    data: path.resolve(flags.data),
  };
  await writeJsonAtomic(path.join(out, 'metrics.json'), metrics);
  await writeFileAtomic(path.join(out, 'per_class.csv'), perClassCsv(matrix, names));
  await writeFileAtomic(path.join(out, 'confusion.csv'), confusionCsv(matrix, names));
  await encodePng(path.join(out, 'confusion.png'), await renderConfusion(matrix, names));
  log(`${refs.length} images, ${k} classes${subset ? ` (${subset})` : ''}`);
  log(`  ${'miou'.padEnd(14)} ${summary.meanIoU?.toFixed(4) ?? 'n/a'}`);
  log(`  ${'pixel accuracy'.padEnd(14)} ${summary.pixelAccuracy?.toFixed(4) ?? 'n/a'}`);
  for (const s of summary.perClass)
    log(`  ${names[s.index]!.padEnd(14)} iou ${s.iou?.toFixed(4) ?? 'n/a (absent)'}`);
  log(`written ${path.join(out, 'metrics.json')}, per_class.csv, confusion.csv and confusion.png`);
}
