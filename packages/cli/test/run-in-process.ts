/**
 * Runs the fake recipe's command line in the test's own process through runSegmentationCli, with
 * `--help` text as stdout and log lines as stderr: the same result shape, and the same checks,
 * as the apps' tests that spawn their built CLI, minus a Node start and a TensorFlow load per run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CliResult, expectProgramError } from '@unet/cli-test-support';
import { expect } from 'vitest';
import { runSegmentationCli } from '../src/run-cli.js';
import { FAKE_PROGRAM, fakeRecipe } from './fake-recipe.js';

/** `unet-fake ARGV`, run in-process. */
export async function fakeCli(...argv: string[]): Promise<CliResult> {
  // A debug run appends stacks to the error line, which the one-line checks reject.
  delete process.env.UNET_DEBUG;
  let stdout = '';
  let stderr = '';
  const code = await runSegmentationCli(fakeRecipe, argv, {
    log: (line) => {
      stderr += `${line}\n`;
    },
    print: (text) => {
      stdout += text;
    },
  });
  return { code, stdout, stderr };
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
