/**
 * Runs the fake recipe's command line in the test's own process through runSegmentationCli, with
 * `--help` text as stdout and log lines as stderr: the same result shape, and the same checks,
 * as the apps' tests that spawn their built CLI, minus a Node start and a TensorFlow load per run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CliResult, expectProgramError } from '@unet/cli-test-support';
import { expect, vi } from 'vitest';
import { runSegmentationCli } from '../src/run-cli.js';
import { FAKE_PROGRAM, fakeRecipe } from './fake-recipe.js';

/**
 * `unet-fake ARGV`, run in-process. stderr is the log lines and whatever is written to
 * process.stderr meanwhile (the per-epoch progress lines of @unet/train go there, not to the log);
 * `onStderr` sees it grow (e.g. to interrupt training at some epoch).
 */
export async function runFake(
  argv: string[],
  onStderr: (stderr: string) => void = () => {},
): Promise<CliResult> {
  // A debug run appends stacks to the error line, which the one-line checks reject.
  delete process.env.UNET_DEBUG;
  let stdout = '';
  let stderr = '';
  const append = (text: string) => {
    stderr += text;
    onStderr(stderr);
  };
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    append(String(chunk));
    return true;
  });
  try {
    const code = await runSegmentationCli(fakeRecipe, argv, {
      log: (line) => append(`${line}\n`),
      print: (text) => {
        stdout += text;
      },
    });
    return { code, stdout, stderr };
  } finally {
    write.mockRestore();
  }
}

/** `unet-fake ARGV`, run in-process (see {@link runFake}). */
export function fakeCli(...argv: string[]): Promise<CliResult> {
  return runFake(argv);
}

/** Exit `code` and one `unet-fake: error: ...` line matching each reason. */
export function expectFakeError(
  r: CliResult,
  code: 1 | 2,
  ...reasons: (RegExp | string)[]
): string {
  expect(r.code, r.stderr).toBe(code);
  return expectProgramError(FAKE_PROGRAM, r, ...reasons);
}

/** A temp folder for one test file; `remove` in afterAll. */
export function tempDir(label: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `unet-cli-${label}-`));
  let count = 0;
  return {
    dir,
    /** A path under the folder that does not exist yet. */
    fresh: (name = 'unused') => path.join(dir, `${name}-${++count}`),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
