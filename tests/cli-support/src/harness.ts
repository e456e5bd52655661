/** One app's CLI run in a child process, with its temp folder and error checks. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { type CliResult, expectOk, expectProgramError } from './files.js';

export interface CliHarnessOptions {
  /** The CLI's name, which starts its error lines: `<program>: error: ...`. */
  program: string;
  /** The app's folder: the CLI is its `dist/cli.js`. */
  appDir: string;
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

  function expectOneLineError(r: CliResult, ...reasons: (RegExp | string)[]): string {
    return expectProgramError(program, r, ...reasons);
  }

  /** `<command> --help` exits 0, starts with the command's usage line and lists each flag. */
  async function expectCommandHelp(command: string, flags: readonly string[]): Promise<void> {
    const r = await cli(command, '--help');
    expectOk(r);
    expect(r.stdout).toContain(`Usage: ${program} ${command}`);
    for (const flag of flags) expect(r.stdout).toMatch(new RegExp(`^  --${flag}\\b`, 'm'));
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
    expectCommandHelp,
    expectOneLineError,
    expectTrainFailure,
    unused,
  };
}
