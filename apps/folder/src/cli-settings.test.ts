/**
 * End-to-end tests of the built CLI (`dist/cli.js`, build first) for the run settings of issue
 * 18 on generated data (soft masks, as JPEG or anti-aliased exports give): --mask-threshold on
 * train and evaluate, --seed seeding the initial weights, --recalibrate-bn and the settings
 * check of --resume.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { appCli, expectOk, readJson } from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { beforeAll, describe, expect, it } from 'vitest';

const app = appCli('unet-folder', import.meta.url);
const { cli, expectOneLineError } = app;

const SIZE = 32;

/**
 * Six grey images with a bright disc each, and masks of the disc with a soft edge: 0 outside,
 * 255 inside, intermediate values over a 3-pixel ramp (so not binary).
 */
async function softMaskFolder(dir: string): Promise<string> {
  for (let k = 0; k < 6; k++) {
    const cx = 10 + 2 * k;
    const cy = 22 - k;
    const radius = 6 + (k % 3);
    const image = new Float32Array(SIZE * SIZE);
    const mask = new Float32Array(SIZE * SIZE);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const d = Math.hypot(x - cx, y - cy) - radius;
        const inside = Math.min(1, Math.max(0, 0.5 - d / 3));
        mask[y * SIZE + x] = inside;
        image[y * SIZE + x] = 0.2 + 0.6 * inside + 0.1 * (((x * 7 + y * 13 + k) % 5) / 5);
      }
    }
    const raster = (data: Float32Array) => ({ width: SIZE, height: SIZE, channels: 1, data });
    await encodePng(path.join(dir, 'images', `${k}.png`), raster(image) as never);
    await encodePng(path.join(dir, 'masks', `${k}.png`), raster(mask) as never);
  }
  return dir;
}

/** The convolution kernels of OUT/model, by name. */
async function kernels(out: string): Promise<Map<string, number[]>> {
  const model = await tf.loadLayersModel(`file://${path.join(out, 'model', 'model.json')}`);
  const weights = new Map(
    model.trainableWeights
      .filter((w) => w.originalName.endsWith('/kernel'))
      .map((w) => [w.originalName, Array.from(w.read().dataSync())]),
  );
  model.dispose();
  return weights;
}

let data: string;
const common = () => ['--data', data, '--image-size', String(SIZE), '--batch-size', '2'];

beforeAll(async () => {
  data = await softMaskFolder(app.at('soft'));
});

describe('--mask-threshold', () => {
  it('train refuses soft masks without it (the reader names the file)', async () => {
    const r = await cli('train', ...common(), '--out', app.at('no-threshold'));
    expectOneLineError(r, /masks[/\\]\d\.png/, 'maskThreshold');
  });

  it('train and evaluate threshold soft masks with it, and record it', async () => {
    const out = app.at('threshold');
    const r = await cli(
      'train',
      ...common(),
      '--out',
      out,
      '--epochs',
      '1',
      '--mask-threshold',
      '0.5',
    );
    expectOk(r);
    expect(readJson(path.join(out, 'config.json'))).toMatchObject({
      maskThreshold: 0.5,
      recalibrateBatchNorm: true,
    });
    const model = path.join(out, 'model');
    const scored = app.at('eval');
    expectOneLineError(
      await cli('evaluate', '--data', data, '--model', model, '--out', scored),
      'maskThreshold',
    );
    const ok = await cli(
      'evaluate',
      ...['--data', data, '--model', model, '--out', scored, '--mask-threshold', '0.5'],
    );
    expectOk(ok);
    expect(readJson(path.join(scored, 'metrics.json'))).toMatchObject({ mask_threshold: 0.5 });
  });

  it('must be a fraction', async () => {
    const r = await cli('train', ...common(), '--out', app.at('bad'), '--mask-threshold', '2');
    expect(r.code).toBe(2);
    expectOneLineError(r, '--mask-threshold must be in (0, 1]');
  });
});

describe('--seed', () => {
  it('gives identical initial weights to runs with the same seed', async () => {
    // Learning rate 1e-30 (0 is refused): Adam moves each weight by about 1e-30, which leaves
    // the kernels (random, |w| >> 1e-23) at their initial float32 values, bit for bit.
    const run = async (name: string, seed: string) => {
      const out = app.at(name);
      const flags = ['--epochs', '1', '--mask-threshold', '0.5', '--learning-rate', '1e-30'];
      expectOk(await cli('train', ...common(), '--out', out, ...flags, '--seed', seed));
      return kernels(out);
    };
    const a = await run('seed-a', '5');
    const b = await run('seed-b', '5');
    const c = await run('seed-c', '6');
    expect(a.size).toBeGreaterThan(10);
    expect([...b.entries()]).toEqual([...a.entries()]);
    for (const [name, values] of a) expect(c.get(name), name).not.toEqual(values);
  });
});

describe('--resume', () => {
  it('refuses another --image-size than the run had, unless --force', async () => {
    const out = app.at('resume');
    const flags = ['--mask-threshold', '0.5', '--patience', '0'];
    expectOk(await cli('train', ...common(), '--out', out, '--epochs', '1', ...flags));
    const again = ['--data', data, '--batch-size', '2', '--out', out, '--epochs', '2', ...flags];
    const refused = await cli('train', ...again, '--image-size', '64', '--resume');
    expect(refused.code).toBe(2);
    expectOneLineError(refused, 'image-size 32 -> 64', '--force');
    expect(readJson(path.join(out, 'config.json'))).toMatchObject({ imageSize: 32 });

    const forced = await cli('train', ...again, '--image-size', '64', '--resume', '--force');
    expectOk(forced);
    expect(forced.stderr).toContain('image-size 32 -> 64');
    expect(readJson(path.join(out, 'config.json'))).toMatchObject({ imageSize: 64 });
  });

  it('continues without complaint when the settings match', async () => {
    const out = app.at('resume-same');
    const flags = ['--mask-threshold', '0.5', '--patience', '0'];
    expectOk(await cli('train', ...common(), '--out', out, '--epochs', '1', ...flags));
    const r = await cli('train', ...common(), '--out', out, '--epochs', '2', ...flags, '--resume');
    expectOk(r);
    expect(r.stderr).not.toContain('--force');
  });
});
