import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadModel, readCheckpointState, runPaths } from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv, tempDir, useTensorflow } from './test-helpers.js';

const CHILD = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'train-child.mjs',
);

interface ChildRun {
  lines: string[];
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs the child trainer; it is SIGKILLed at the stdout line `killAt`, or `killAfterMs` after
 * its first batch.
 */
function runChild(args: string[], killAt?: string, killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], {
      cwd: path.dirname(CHILD),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === killAt) child.kill('SIGKILL');
        if (lines.length === 1 && killAfterMs !== undefined) {
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, stderr, code, signal }));
  });
}

beforeAll(useTensorflow);

describe('kill and resume', () => {
  it('a run SIGKILLed mid-epoch resumes from its last checkpoint with a continuous history', async () => {
    const outDir = await tempDir('kill');
    const paths = runPaths(outDir);
    // 36 training samples / batch 4 = 9 batches per epoch; kill during the third epoch.
    const killed = await runChild([outDir, '6', 'fresh', '15'], 'batch 2 4');
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.lines).not.toContain('done');
    const atKill = await readCheckpointState(paths.last);
    expect(atKill).toMatchObject({ epoch: 1, stopReason: null });
    expect((await readCsv(paths.csv)).rows.map((r) => r[0])).toEqual(['0', '1']);

    const resumed = await runChild([outDir, '6', 'resume', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.lines[0]).toBe('batch 2 0');
    expect(resumed.lines.at(-1)).toBe('done');
    expect(resumed.stderr).toMatch(/resume: .* holds epoch 2 .*continuing at epoch 3\/6/);

    const state = await readCheckpointState(paths.last);
    expect(state).toMatchObject({ epoch: 5, stopReason: 'completed' });
    expect(state!.history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    // The LR schedule of ReduceLROnPlateau continued across the kill.
    expect(state!.history.history.lr).toEqual([0.01, 0.01, 0.005, 0.0025, 0.00125, 0.000625]);
    const csv = await readCsv(paths.csv);
    expect(csv.rows.map((r) => Number(r[0]))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(csv.rows.map((r) => Number(r[csv.header.indexOf('loss')]))).toEqual(
      state!.history.history.loss,
    );
    expect((await fs.readdir(outDir)).sort()).toEqual([
      'best',
      'curves.png',
      'last',
      'log.csv',
      'tensorboard',
    ]);

    for (const dir of [paths.last, paths.best]) {
      const model = await loadModel(dir);
      const out = model.predict(tf.ones([1, 12, 12, 1])) as tf.Tensor;
      expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
      out.dispose();
      model.dispose();
    }
  });

  it('repeated kills at arbitrary moments (checkpoint writes included) never lose the last good checkpoint', async () => {
    const outDir = await tempDir('kill-often');
    const paths = runPaths(outDir);
    let lastEpoch = -1;
    for (const delay of [300, 60, 150, 230]) {
      const run = await runChild([outDir, '60', 'resume', '0'], undefined, delay);
      expect(run.signal).toBe('SIGKILL');
      const state = await readCheckpointState(paths.last);
      // No checkpoint is only acceptable when no epoch had ever finished.
      if (state === null) {
        expect(lastEpoch).toBe(-1);
        continue;
      }
      expect(state.epoch).toBeGreaterThanOrEqual(lastEpoch);
      expect(state!.history.epoch).toEqual(Array.from({ length: state!.epoch + 1 }, (_, i) => i));
      const model = await loadModel(paths.last);
      model.dispose();
      lastEpoch = state!.epoch;
    }
    const finished = await runChild([outDir, String(lastEpoch + 3), 'resume', '0']);
    expect(finished.code, finished.stderr).toBe(0);
    const state = await readCheckpointState(paths.last);
    expect(state!.history.epoch).toEqual(Array.from({ length: lastEpoch + 3 }, (_, i) => i));
    const csv = await readCsv(paths.csv);
    expect(csv.rows.map((r) => Number(r[0]))).toEqual(state!.history.epoch);
  });
});
