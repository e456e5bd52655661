import fs from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { loadSamples, type SampleRef, splitDataset, toTfDataset } from '@unet/data';
import { compileWithNamedLosses } from '@unet/losses';
import { createOptimizer, enableFastPaths, initBackend, resolveCompileMode } from '@unet/runtime';
import { EarlyStopping, ReduceLROnPlateau, runPaths, TimeStopping, train } from '@unet/train';
import { classLossName, prepareClassLoss, trainClasses, ValidationMeanIoU } from './class-train.js';
import type { FlagValues, TrainFlags } from './command-spec.js';
import { imageSizeSetting, parseImageSize } from './image-size.js';
import { type TrainTargets, trainTargets, writeModelTargets } from './instance-model.js';
import { stopOnInterrupt } from './interrupt.js';
import { writeModelClasses } from './model-classes.js';
import { maskThresholdFlag, UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';
import { checkResumeSettings } from './resume-settings.js';
import { cliRunFiles, copyDirAtomic, writeJsonAtomic } from './run-files.js';

/** Settings of one `train` run, as written to `OUT/config.json`. */
export interface TrainRunConfig {
  program: string;
  data: string;
  out: string;
  epochs: number;
  batchSize: number;
  /** `--image-size`: N (square) or `"HxW"`. */
  imageSize: number | string;
  valSplit: number;
  seed: number;
  backend: string;
  /** How training steps ran (`--compile`, resolved for the backend): eager or one graph. */
  compile: 'off' | 'fp32' | 'bf16';
  learningRate: number;
  patience: number;
  maxMinutes: number;
  channels: 1 | 3;
  loss: string;
  metrics: string[];
  monitor: string;
  resume: boolean;
  split: string | null;
  /** Threshold of soft masks (`--mask-threshold`), or null: masks must be binary. */
  maskThreshold: number | null;
  /** Batch-norm statistics recomputed from the training images (`--recalibrate-bn`). */
  recalibrateBatchNorm: boolean;
  /** Class names of a multi-class run (saved as model/classes.json), or null: binary. */
  classes?: string[] | null;
  /** Class weights of the multi-class loss (`--class-weights auto|sqrt`), or null. */
  classWeights?: number[] | null;
  /** Instance recipes: the union mask or the 3 instance classes (`--targets`). */
  targets?: TrainTargets;
}

/** The split a file names (e.g. one shared with a Keras run), checked against the data. */
async function splitFromFile(
  refs: SampleRef[],
  file: string,
): Promise<{ train: SampleRef[]; validation: SampleRef[] }> {
  let json: { train?: unknown; val?: unknown };
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `train: cannot read --split ${file}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const byId = new Map(refs.map((r) => [r.id, r]));
  const pick = (key: 'train' | 'val') => {
    const ids = json[key];
    if (!Array.isArray(ids))
      throw new UsageError(`train: --split ${file} has no "${key}" list of ids`);
    return ids.map((id) => {
      const ref = byId.get(String(id));
      if (!ref)
        throw new UsageError(`train: --split ${file} names '${id}', which is not in the data`);
      return ref;
    });
  };
  return { train: pick('train'), validation: pick('val') };
}

function positiveInteger(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`train: --${flag} must be a positive integer, got ${value}`);
  return value;
}

/** `train`: list, split, load, build, compile, fit with callbacks, then export the best model. */
export async function trainCommand(
  recipe: SegmentationRecipe,
  flags: FlagValues<TrainFlags>,
  log: (l: string) => void,
) {
  const valSplit = flags['val-split'];
  if (!(valSplit > 0 && valSplit < 1))
    throw new UsageError(`train: --val-split must be in (0, 1), got ${valSplit}`);
  const backend = await initBackend(flags.backend, { log, warn: log });
  enableFastPaths({ log, warn: log });
  const files = cliRunFiles(flags.out);
  const config: TrainRunConfig = {
    program: recipe.program,
    data: flags.data,
    out: flags.out,
    epochs: positiveInteger(flags.epochs, 'epochs'),
    batchSize: positiveInteger(flags['batch-size'], 'batch-size'),
    imageSize: imageSizeSetting(parseImageSize('train', flags['image-size'])),
    valSplit,
    seed: flags.seed,
    backend,
    compile: resolveCompileMode(flags.compile, backend, log),
    learningRate: flags['learning-rate'],
    patience: flags.patience,
    maxMinutes: flags['max-minutes'],
    channels: recipe.channels,
    loss: recipe.loss,
    metrics: recipe.metrics,
    monitor: recipe.monitor ?? 'val_loss',
    resume: flags.resume,
    split: flags.split ?? null,
    maskThreshold: maskThresholdFlag('train', flags['mask-threshold']),
    recalibrateBatchNorm: flags['recalibrate-bn'] !== 'off',
  };
  const shape = parseImageSize('train', flags['image-size']);
  if (recipe.tile && shape.height !== shape.width)
    throw new UsageError(`train: ${recipe.program} trains on square tiles: use --image-size N`);
  const targets = trainTargets(recipe, flags);
  const classList = targets.classes ?? (await trainClasses(recipe, flags.classes));
  if (recipe.instances) config.targets = targets.targets;
  const numClasses = classList?.classes.length ?? 1;
  if (classList) {
    config.classes = classList.classes.map((c) => c.name);
    config.loss = classLossName(recipe);
    config.metrics = [];
  }
  const settings = {
    imageSize: shape.height,
    height: shape.height,
    width: shape.width,
    numClasses,
    channels: config.channels,
    seed: config.seed,
  };
  // Build first: a bad --image-size fails in a second, before any data is read.
  let model: tf.LayersModel;
  try {
    model = recipe.buildModel(settings);
  } catch (error) {
    throw new UsageError(
      `train: --image-size ${config.imageSize} does not fit the model: ${(error as Error).message}`,
    );
  }
  const listOptions = {
    size: shape.height === shape.width ? shape.height : shape,
    channels: config.channels,
    maskThreshold: config.maskThreshold ?? undefined,
    ...(classList ? { classes: classList } : {}),
    ...(targets.targets === 'instances' ? { targets: targets.targets } : {}),
  };
  const subsets = recipe.subsets;
  const refs = await recipe.list(config.data, { ...listOptions, subset: subsets?.train });
  const split = subsets
    ? {
        train: refs,
        validation: await recipe.list(config.data, { ...listOptions, subset: subsets.validation }),
      }
    : flags.split
      ? await splitFromFile(refs, flags.split)
      : splitDataset(refs, { validation: config.valSplit, seed: config.seed });
  if (split.validation.length === 0 || split.train.length === 0) {
    throw new UsageError(
      `train: ${refs.length} samples in ${config.data} leave ${split.train.length} for training and ` +
        `${split.validation.length} for validation; add samples or change --val-split`,
    );
  }
  if (config.resume) await checkResumeSettings(files, config, split, flags.force, log);
  const trainSet = await loadSamples(split.train, { label: `${config.data} (train)` });
  const valSet = await loadSamples(split.validation, { label: `${config.data} (validation)` });
  // Only now that the data loaded: a failed start leaves an existing run's files as they were.
  await fs.mkdir(config.out, { recursive: true });
  await writeJsonAtomic(files.config, config);
  await writeJsonAtomic(files.split, {
    seed: config.seed,
    train: split.train.map((r) => r.id),
    val: split.validation.map((r) => r.id),
  });
  log(
    `${trainSet.samples.length} training and ${valSet.samples.length} validation samples at ${shape.height}x${shape.width}` +
      (classList ? `, ${numClasses} classes` : ''),
  );

  const classLoss = classList
    ? await prepareClassLoss(recipe, classList, flags['class-weights'], trainSet.samples, log)
    : null;
  if (classLoss) {
    config.classWeights = classLoss.classWeights;
    await writeJsonAtomic(files.config, config);
  }
  compileWithNamedLosses(model, {
    optimizer: createOptimizer('adam', config.learningRate, { compiled: config.compile !== 'off' }),
    loss: config.loss,
    metrics: config.metrics,
  });
  // --patience drives both: stop after `patience` stagnant epochs, halve the rate after half as
  // many. --patience 0 turns both off (a fixed schedule of --epochs at --learning-rate).
  const callbacks: tf.Callback[] = [];
  if (classList)
    callbacks.push(new ValidationMeanIoU(model, valSet.samples, classList, config.batchSize));
  if (config.patience > 0) {
    callbacks.push(
      new ReduceLROnPlateau({
        monitor: config.monitor,
        factor: 0.5,
        patience: Math.max(2, Math.floor(config.patience / 2)),
        log,
      }),
      new EarlyStopping({
        monitor: config.monitor,
        patience: config.patience,
        restoreBestWeights: true,
        log,
      }),
    );
  }
  if (config.maxMinutes > 0)
    callbacks.push(new TimeStopping({ seconds: config.maxMinutes * 60, log }));
  const removeInterrupt = stopOnInterrupt(model, log);
  try {
    const result = await train({
      model,
      data: toTfDataset(trainSet.samples, {
        batchSize: config.batchSize,
        augment: recipe.augment ?? true,
        seed: config.seed,
      }),
      validationData: toTfDataset(valSet.samples, { batchSize: config.batchSize, shuffle: false }),
      epochs: config.epochs,
      outDir: config.out,
      monitor: config.monitor,
      resume: config.resume,
      seed: config.seed,
      callbacks,
      log,
      compile: config.compile,
      recalibrateBatchNorm: config.recalibrateBatchNorm,
      // The training images as read, without augmentation: the statistics inference will see.
      recalibrationData: toTfDataset(trainSet.samples, {
        batchSize: config.batchSize,
        shuffle: false,
      }),
    });
    const paths = runPaths(config.out);
    await copyDirAtomic(paths.best, files.model);
    if (classList) await writeModelClasses(files.model, classList);
    if (targets.targets === 'instances') await writeModelTargets(files.model, targets.targets);
    await fs.copyFile(paths.csv, files.history);
    const best = result.bestEpoch ?? result.epoch.length - 1;
    const scores = Object.entries(result.history)
      .filter(([key]) => key.startsWith('val_'))
      .map(
        ([key, values]) =>
          `${key} ${Number(values[result.epoch.indexOf(best)] ?? Number.NaN).toFixed(4)}`,
      );
    log(`best epoch ${best + 1} (${result.stopReason}): ${scores.join(', ')}`);
    log(`model: ${files.model}/model.json; history: ${files.history}; curves: ${files.curves}`);
  } finally {
    removeInterrupt();
    model.dispose();
  }
}
