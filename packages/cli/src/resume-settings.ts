import fs from 'node:fs/promises';
import type { SampleRef } from '@unet/data';
import { resolveCheckpointDir, runPaths } from '@unet/train';
import { UsageError } from './parse-flags.js';
import type { cliRunFiles } from './run-files.js';
import type { TrainRunConfig } from './train-command.js';

/**
 * Settings a resumed run must share with the checkpoint's: the weights only fit, and the history
 * and best model only compare, under the same model, input, loss and validation samples. The
 * weights of a fully convolutional U-Net load at any image size, so nothing else would notice.
 */
const MUST_MATCH: [keyof TrainRunConfig, string][] = [
  ['program', 'model'],
  ['imageSize', 'image-size'],
  ['channels', 'channels'],
  ['loss', 'loss'],
  ['maskThreshold', 'mask-threshold'],
];

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

function sameIds(a: unknown, b: string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * With `--resume` and a checkpoint in `--out`: the settings that differ from the ones the run
 * was started with (its `config.json` and `split.json`), as `name previous -> now`. Refuses with
 * a {@link UsageError} listing them unless `force`, then only logs them.
 */
export async function checkResumeSettings(
  files: ReturnType<typeof cliRunFiles>,
  config: TrainRunConfig,
  split: { train: SampleRef[]; validation: SampleRef[] },
  force: boolean,
  log: (line: string) => void,
): Promise<string[]> {
  if ((await resolveCheckpointDir(runPaths(config.out).last)) === null) return [];
  const previous = await readJson(files.config);
  if (previous === null) return [];
  const show = (v: unknown) => (v === undefined || v === null ? 'none' : JSON.stringify(v));
  const differences: string[] = [];
  for (const [key, flag] of MUST_MATCH) {
    // Runs written before a setting existed used its default (no mask threshold).
    const before = previous[key] ?? null;
    if (before !== config[key]) differences.push(`${flag} ${show(before)} -> ${show(config[key])}`);
  }
  const previousSplit = await readJson(files.split);
  if (
    previousSplit !== null &&
    (!sameIds(
      previousSplit.train,
      split.train.map((r) => r.id),
    ) ||
      !sameIds(
        previousSplit.val,
        split.validation.map((r) => r.id),
      ))
  ) {
    differences.push(
      `split: other training/validation samples (val-split ${show(previous.valSplit)} -> ` +
        `${show(config.valSplit)}, seed ${show(previous.seed)} -> ${show(config.seed)}, ` +
        `--split ${show(previous.split)} -> ${show(config.split)})`,
    );
  }
  if (differences.length === 0) return [];
  const list = differences.join('; ');
  if (!force) {
    throw new UsageError(
      `train: --resume: ${config.out} was trained with other settings: ${list}. ` +
        'Resume with the same flags, pass --force to continue anyway, or train into another --out',
    );
  }
  log(`[unet] resume --force: continuing despite ${list}`);
  return differences;
}
