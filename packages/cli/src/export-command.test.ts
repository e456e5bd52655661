import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeImage, encodePng } from '@unet/data';
import { initBackend } from '@unet/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentationRecipe } from './recipe.js';
import { runSegmentationCli } from './run-cli.js';

let tmp: string;
const lines: string[] = [];
const run = (recipe: SegmentationRecipe, ...argv: string[]) =>
  runSegmentationCli(recipe, argv, { log: (l) => lines.push(l), print: () => {} });

/** Foreground where mean(r, g, b) > 0.5 at threshold 0.5: a 1x1 conv, 32x32 input. */
function meanModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [32, 32, 3],
        filters: 1,
        kernelSize: 1,
        kernelInitializer: tf.initializers.constant({ value: 4 / 3 }),
        biasInitializer: tf.initializers.constant({ value: -2 }),
        activation: 'sigmoid',
      }),
    ],
  });
}

function recipe(tile: boolean): SegmentationRecipe {
  return {
    program: 'unet-test',
    description: 'test',
    channels: 3,
    defaults: { epochs: 1, batchSize: 1, imageSize: 32, valSplit: 0.2 },
    list: async () => [],
    buildModel: meanModel,
    loss: 'binaryCrossentropy',
    metrics: [],
    tile,
  };
}

beforeAll(async () => {
  await initBackend('tensorflow', { log: () => {}, warn: () => {} });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'unet-cli-export-'));
  const model = meanModel();
  await model.save(`file://${path.join(tmp, 'model')}`);
  model.dispose();
  // A horizontal ramp, 50x40: the mask's edge moves with the threshold.
  const data = new Float32Array(50 * 40 * 3).map((_, i) => (Math.floor(i / 3) % 50) / 49);
  await encodePng(path.join(tmp, 'in', 'ramp.png'), { data, width: 50, height: 40, channels: 3 });
});

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

async function foregroundColumns(dir: string): Promise<number> {
  const mask = await decodeImage(path.join(dir, 'masks', 'ramp.png'), { channels: 1 });
  expect([mask.width, mask.height]).toEqual([50, 40]);
  let count = 0;
  for (let x = 0; x < 50; x++) if (mask.data[x]! > 0.5) count++;
  return count;
}

describe('export', () => {
  it('writes a bundle with the recipe settings that predict --model then applies', async () => {
    const metrics = path.join(tmp, 'metrics.json');
    await fs.writeFile(metrics, JSON.stringify({ dice: 0.9, iou: 0.8 }));
    const bundle = path.join(tmp, 'bundle');
    const model = path.join(tmp, 'model');
    const code = await run(
      recipe(true),
      'export',
      '--model',
      model,
      '--out',
      bundle,
      '--metrics',
      metrics,
      '--threshold',
      '0.8',
    );
    expect(code).toBe(0);
    const manifest = JSON.parse(await fs.readFile(path.join(bundle, 'unet.json'), 'utf8'));
    expect(manifest).toMatchObject({
      recipe: { name: 'test', program: 'unet-test' },
      threshold: 0.8,
      tiling: { tileSize: 32, overlap: 8 },
      metrics: { dice: 0.9, iou: 0.8 },
    });
    expect(Object.keys(manifest.versions)).toContain('@tensorflow/tfjs');
    expect(lines.at(-1)).toBe(
      `bundle written to ${bundle}: 32x32x3 input, tiles of 32 (overlap 8)`,
    );

    const input = path.join(tmp, 'in');
    const predictTo = async (dir: string, ...extra: string[]) => {
      const out = path.join(tmp, dir);
      expect(await run(recipe(false), 'predict', '--input', input, '--out', out, ...extra)).toBe(0);
      return foregroundColumns(out);
    };
    const fromBundle = await predictTo('p-bundle', '--model', bundle);
    const fromFolderAt08 = await predictTo('p-08', '--model', model, '--threshold', '0.8');
    const fromFolder = await predictTo('p-05', '--model', model);
    // The bundle's threshold (0.8) applies, not predict's default 0.5.
    expect(fromBundle).toBe(fromFolderAt08);
    expect(fromBundle).toBeLessThan(fromFolder);
    expect(fromBundle).toBeGreaterThan(0);
    // A --threshold given to predict wins over the bundle's.
    expect(await predictTo('p-b03', '--model', bundle, '--threshold', '0.3')).toBeGreaterThan(
      fromFolder,
    );
  });

  it('exits with one line naming the problem', async () => {
    expect(await run(recipe(false), 'export', '--out', path.join(tmp, 'x'))).toBe(2);
    const none = path.join(tmp, 'nothing');
    expect(await run(recipe(false), 'export', '--model', none, '--out', path.join(tmp, 'y'))).toBe(
      1,
    );
    expect(lines.at(-1)).toBe(
      `unet-test: error: ${path.join(none, 'model.json')}: missing (a model folder holds model.json)`,
    );
    const bad = path.join(tmp, 'bad-bundle');
    await fs.cp(path.join(tmp, 'bundle'), bad, { recursive: true });
    await fs.writeFile(
      path.join(bad, 'unet.json'),
      '{"format": "unet-bundle", "formatVersion": "3.1"}',
    );
    const out = path.join(tmp, 'p-bad');
    expect(
      await run(
        recipe(false),
        'predict',
        '--input',
        path.join(tmp, 'in'),
        '--model',
        bad,
        '--out',
        out,
      ),
    ).toBe(1);
    expect(lines.at(-1)).toContain(
      `${path.join(bad, 'unet.json')}: format 3.1 was written by a newer toolkit`,
    );
  });
});
