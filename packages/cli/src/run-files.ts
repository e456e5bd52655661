import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@unet/train';

/** The files the CLI contract promises in `--out` of `train`. */
export function cliRunFiles(out: string) {
  return {
    config: path.join(out, 'config.json'),
    split: path.join(out, 'split.json'),
    model: path.join(out, 'model'),
    history: path.join(out, 'history.csv'),
    curves: path.join(out, 'curves.png'),
  };
}

/** Writes JSON atomically (temp file, then rename), with a trailing newline. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Copies a checkpoint folder to `to` atomically: a reader sees the old folder or the new one. */
export async function copyDirAtomic(from: string, to: string): Promise<void> {
  const staging = `${to}.tmp-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.cp(from, staging, { recursive: true });
  const old = `${to}.old-${process.pid}`;
  const hadOld = await fs.rename(to, old).then(
    () => true,
    () => false,
  );
  await fs.rename(staging, to);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}
