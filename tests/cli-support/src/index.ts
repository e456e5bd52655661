/**
 * Helpers shared by the apps' end-to-end CLI tests (`apps/<app>/src/cli.test.ts`): run the built
 * CLI (`dist/cli.js`) in a child process, check its exit code and one-line errors, and read the
 * PNG, CSV and JSON files it writes. `cliHarness` binds them to one app.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';

/** What a CLI run left: its exit code (null when killed by a signal) and its output. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHarnessOptions {
  /** The CLI's name, which starts its error lines: `<program>: error: ...`. */
  program: string;
  /** The app's folder: the CLI is its `dist/cli.js`. */
  appDir: string;
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

/**
 * The helpers of one app's CLI tests. Call `setUp()` in `beforeAll` (it checks the CLI is built
 * and makes the temp folder it returns) and `tearDown` in `afterAll` (it removes that folder).
 */
export function cliHarness({ program, appDir }: CliHarnessOptions) {
  const CLI = path.join(appDir, 'dist', 'cli.js');
  let tmp: string | undefined;
  let unusedCount = 0;

  function setUp(): string {
    expect(
      fs.existsSync(CLI),
      `${CLI} missing: run pnpm turbo run build --filter=./apps/*...`,
    ).toBe(true);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${program}-cli-`));
    return tmp;
  }

  function tearDown(): void {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }

  function cli(...args: string[]): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
    delete env.UNET_DEBUG;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Non-zero exit and exactly one `<program>: error: ...` line, the last of stderr, no stack. */
  function expectOneLineError(r: CliResult, ...reasons: (RegExp | string)[]): string {
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

  /** A fresh path under the temp folder, for an --out a failing command must not create. */
  function unused(): string {
    if (!tmp) throw new Error('cliHarness: call setUp() in beforeAll first');
    return path.join(tmp, `unused-${++unusedCount}`);
  }

  /** `train ARGS --out <fresh>` fails with a one-line reason and leaves no --out folder behind. */
  async function expectTrainFailure(
    args: string[],
    ...reasons: (RegExp | string)[]
  ): Promise<void> {
    const out = unused();
    expectOneLineError(await cli('train', ...args, '--out', out), ...reasons);
    expect(fs.existsSync(out), `a failed train wrote ${out}`).toBe(false);
  }

  return {
    CLI,
    setUp,
    tearDown,
    cli,
    expectOneLineError,
    expectTrainFailure,
    unused,
  };
}
