import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Runs every example of docs/EXTENDING.md as a user would, so the document cannot drift from the
// packages' API.
const examples = path.resolve(import.meta.dirname, '..');

// Asynchronous: a synchronous child blocks the vitest worker, whose RPC then times out under load.
async function node(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    cwd: examples,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

describe('docs/EXTENDING.md examples', () => {
  it('shows code that is in the example files verbatim', () => {
    const doc = fs.readFileSync(path.join(examples, '..', 'docs', 'EXTENDING.md'), 'utf8');
    const blocks = [...doc.matchAll(/<!-- (examples\/\S+) -->\n```js\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const [, file, code] of blocks) {
      const source = fs.readFileSync(path.join(examples, '..', file!), 'utf8');
      expect(source, `a block of docs/EXTENDING.md is not in ${file}`).toContain(code);
    }
  });

  it('custom loss: registered, trained, saved, loaded in another process and trained on', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-example-loss-'));
    try {
      expect(await node('custom-loss/train.mjs', dir)).toMatch(
        /loss [\d.]+ -> [\d.]+, dice [\d.]+/,
      );
      const resumed = await node('custom-loss/resume.mjs', dir);
      expect(resumed).toContain("loss: 'focalTversky'");
      expect(resumed).toMatch(/loss [\d.]+ -> [\d.]+/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('custom blocks: a residual U-Net built, summarized, trained and reloaded', async () => {
    const out = await node('custom-blocks.mjs');
    expect(out).toMatch(/enc1_?\s+32x32x8/);
    expect(out).toMatch(/reloaded unet: \d+ parameters/);
  });

  it('custom reader: a CSV manifest reader trains through toTfDataset', async () => {
    const out = await node('custom-reader.mjs');
    expect(out).toContain('32 training samples');
    expect(out).toMatch(/val Dice [\d.]+/);
  });

  it('custom callback: stateful early stop and prediction snapshots', async () => {
    const out = await node('custom-callback.mjs');
    expect(out).toMatch(/wrote .*epoch-\d+\.png/);
    expect(out).toMatch(/saved callback state \{ hits: \d+ \}/);
  });
});
