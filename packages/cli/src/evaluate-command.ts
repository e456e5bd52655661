import fs from 'node:fs/promises';
import path from 'node:path';
import { hasMask, type SampleRef } from '@unet/data';
import type { ImageEvaluation } from '@unet/infer';
import { initBackend, resolveCompileMode } from '@unet/runtime';
import { type EvaluateSample, evaluate, writeFileAtomic } from '@unet/train';
import { evaluateClasses } from './class-evaluate.js';
import type { EVALUATE_FLAGS, FlagValues } from './command-spec.js';
import { evaluateObjects } from './evaluate-objects.js';
import { readModelTargets } from './instance-model.js';
import { loadCommandModel } from './load-command-model.js';
import { readModelClasses } from './model-classes.js';
import { maskThresholdFlag, UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';
import { writeJsonAtomic } from './run-files.js';

async function onlyValidation(refs: SampleRef[], splitFile: string): Promise<SampleRef[]> {
  const split = JSON.parse(await fs.readFile(splitFile, 'utf8')) as { val?: string[] };
  if (!Array.isArray(split.val))
    throw new UsageError(`evaluate: ${splitFile} has no "val" list of ids`);
  const wanted = new Set(split.val);
  const chosen = refs.filter((r) => wanted.has(r.id));
  if (chosen.length !== wanted.size) {
    const found = new Set(chosen.map((r) => r.id));
    const missing = split.val.filter((id) => !found.has(id));
    throw new UsageError(
      `evaluate: ${missing.length} ids of ${splitFile} are not in the data (e.g. ${missing[0]})`,
    );
  }
  return chosen;
}

async function* samplesToScore(
  refs: SampleRef[],
  withInstances: boolean,
): AsyncGenerator<EvaluateSample> {
  for (const ref of refs) {
    const sample = await ref.load();
    if (!hasMask(sample))
      throw new UsageError(`evaluate: ${sample.files[0]} has no mask to score against`);
    yield {
      name: sample.id,
      image: sample.image,
      mask: sample.mask,
      instances: withInstances ? sample.instances?.labels : undefined,
    };
  }
}

const CSV_COLUMNS = [
  'name',
  'dice',
  'iou',
  'precision',
  'recall',
  'averagePrecision',
  'trueInstances',
  'predictedInstances',
] as const;

function perImageCsv(rows: ImageEvaluation[]): string {
  const lines = rows.map((row) =>
    CSV_COLUMNS.map((c) => {
      const v = row[c];
      return typeof v === 'number' ? String(Number(v.toFixed(6))) : (v ?? '');
    }).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/** `evaluate`: scores a saved model on a dataset folder at each image's original size. */
export async function evaluateCommand(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof EVALUATE_FLAGS>,
  log: (l: string) => void,
) {
  const threshold = flags.threshold;
  if (!(threshold > 0 && threshold < 1))
    throw new UsageError(`evaluate: --threshold must be in (0, 1), got ${threshold}`);
  const maskThreshold = maskThresholdFlag('evaluate', flags['mask-threshold']) ?? undefined;
  const backend = await initBackend(flags.backend, { log, warn: log });
  const compile = resolveCompileMode(flags.compile, backend, log);
  const modelDir = flags.model;
  const model = await loadCommandModel('evaluate', modelDir);
  try {
    // A model saved with a class list is scored per class (class-evaluate.ts), unless it is an
    // instance model: its binary mask is the foreground (interior + boundary), channel 0 of
    // `channel: 'instances'`, scored as a binary model's would be.
    const classes = await readModelClasses('evaluate', modelDir, model);
    const targets = await readModelTargets('evaluate', modelDir);
    if (classes && targets !== 'instances')
      return await evaluateClasses(recipe, flags, model, classes, log);
    // A split names training samples: for tiling recipes those are tiles of the model's size.
    const inputSize = model.inputs[0]!.shape[1] as number;
    const atModelSize = (flags.split && recipe.tile) || flags['at-model-size'];
    const size = atModelSize ? inputSize : undefined;
    let refs = await recipe.list(flags.data, {
      channels: recipe.channels,
      size,
      maskThreshold,
      subset: flags.subset ?? recipe.subsets?.evaluate,
    });
    if (flags.split) refs = await onlyValidation(refs, flags.split);
    if (refs.length === 0) throw new UsageError(`evaluate: no samples in ${flags.data}`);
    const objects = await evaluateObjects(recipe, flags, refs, atModelSize, targets, log);
    const report = await evaluate({
      ...(targets === 'instances' ? { channel: 'instances' as const } : {}),
      tta: flags.tta === 'off' ? 'none' : flags.tta,
      onPrediction: objects.onPrediction,
      model,
      samples: samplesToScore(refs, !atModelSize),
      threshold,
      // Instance labels exist at the original size only.
      instances: (recipe.instances ?? false) && !atModelSize,
      tile: recipe.tile && size === undefined,
      compile,
      log,
    });
    const out = flags.out;
    const objectMetrics = await objects.finish();
    const metrics = {
      images: report.images,
      threshold: report.threshold,
      mask_threshold: maskThreshold ?? null,
      evaluated_at: size === undefined ? 'original size' : `${size}x${size}`,
      dice: report.overall.dice,
      iou: report.overall.iou,
      precision: report.overall.precision,
      recall: report.overall.recall,
      mean_per_image: report.mean,
      ...(report.meanAveragePrecision !== undefined ? { map: report.meanAveragePrecision } : {}),
      tta: flags.tta,
      ...(targets === 'instances' ? { targets, foreground: 'interior + boundary' } : {}),
      ...objectMetrics,
      model: path.resolve(modelDir),
      data: path.resolve(flags.data),
    };
    await writeJsonAtomic(path.join(out, 'metrics.json'), metrics);
    await writeFileAtomic(path.join(out, 'per_image.csv'), perImageCsv(report.perImage));
    const rows: [string, number | undefined][] = [
      ['dice', metrics.dice],
      ['iou', metrics.iou],
      ['precision', metrics.precision],
      ['recall', metrics.recall],
      ['map (DSB2018)', report.meanAveragePrecision],
    ];
    log(`${report.images} images, threshold ${report.threshold}`);
    for (const [name, value] of [...rows, ...objects.rows(objectMetrics)])
      if (value !== undefined) log(`  ${name.padEnd(14)} ${value.toFixed(4)}`);
    log(`written ${path.join(out, 'metrics.json')} and per_image.csv`);
  } finally {
    model.dispose();
  }
}
