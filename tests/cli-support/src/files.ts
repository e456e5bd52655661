/** Reading what a CLI run left: its result, and the PNG, CSV and JSON files it wrote. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'vitest';

/** What a CLI run left: its exit code (null when killed by a signal) and its output. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type SharpImage = {
  metadata(): Promise<{ format?: string; width?: number; height?: number }>;
  raw(): { toBuffer(): Promise<Buffer> };
};

// sharp is a dependency of @unet/data, not of the apps: load it from there.
const sharp = createRequire(createRequire(import.meta.url).resolve('@unet/data/package.json'))(
  'sharp',
) as (file: string) => SharpImage;

/** Exit 0, with stderr shown when it is not. */
export function expectOk(r: CliResult): void {
  expect(r.code, r.stderr).toBe(0);
}

/**
 * Non-zero exit and exactly one `<program>: error: ...` line, the last of stderr, no stack; the
 * line matches each reason. Returns that line.
 */
export function expectProgramError(
  program: string,
  r: CliResult,
  ...reasons: (RegExp | string)[]
): string {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => l.startsWith(`${program}: error: `));
  expect(errors, r.stderr).toHaveLength(1);
  expect(lines.at(-1)).toBe(errors[0]);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  for (const reason of reasons) {
    if (typeof reason === 'string') expect(errors[0]).toContain(reason);
    else expect(errors[0]).toMatch(reason);
  }
  return errors[0]!;
}

/** Format, width and height of an image file. */
export async function pngSize(file: string) {
  const meta = await sharp(file).metadata();
  return { format: meta.format, width: meta.width, height: meta.height };
}

/** The distinct values of an image file's raw pixel bytes. */
export async function pixelValues(file: string): Promise<Set<number>> {
  return new Set(await sharp(file).raw().toBuffer());
}

/** CSV `file` as its header and rows, split on commas. */
export function readCsv(file: string): { header: string[]; rows: string[][] } {
  const [header = '', ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  return { header: header.split(','), rows: rows.map((r) => r.split(',')) };
}

/** JSON `file`, parsed. */
export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Links `file` at `link` (a symlink: the subset points at the shared data, it copies nothing). */
export function linkFile(file: string, link: string): void {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(file, link);
}
