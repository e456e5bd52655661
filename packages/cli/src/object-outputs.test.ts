/**
 * Object outputs of `predict` / `evaluate` on variants of the fake recipe: `--tta` recorded and
 * the instance split (`map_split`, `--tune-postprocess`, `predict --instances` as 16-bit PNGs).
 * Polygons are in polygon-outputs.test.ts; the fixtures in ../test/object-fixtures.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expectOk, readJson } from '@unet/cli-test-support';
import { encodePng } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRecipe } from '../test/fake-recipe.js';
import { instanceRecipe, readPng16, runOn, writeObjectFixtures } from '../test/object-fixtures.js';
import { expectFakeError, tempDir } from '../test/run-in-process.js';

const tmp = tempDir('objects');
let data: string;
let model: string;

beforeAll(async () => {
  ({ data, model } = await writeObjectFixtures(tmp.dir));
});
afterAll(tmp.remove);

describe('--tta', () => {
  it('evaluate records it in metrics.json; the fixed model scores the same with and without', async () => {
    const scores: Record<string, number> = {};
    for (const tta of ['off', 'flips', 'd4']) {
      const out = tmp.fresh(`tta-${tta}`);
      const r = await runOn(fakeRecipe, 'evaluate', data, model, out, '--tta', tta);
      expectOk(r);
      const metrics = readJson(path.join(out, 'metrics.json')) as { tta: string; dice: number };
      expect(metrics.tta).toBe(tta);
      scores[tta] = metrics.dice;
    }
    // A 1x1 convolution commutes with flips and rotations: TTA changes nothing.
    expect(scores.flips).toBeCloseTo(scores.off!, 6);
    expect(scores.d4).toBeCloseTo(scores.off!, 6);
  });

  it('an unknown --tta value is a usage error', async () => {
    const r = await runOn(fakeRecipe, 'predict', data, model, tmp.fresh(), '--tta', 'rot');
    expectFakeError(r, 2, /--tta/);
  });
});

describe('instance recipes', () => {
  it('evaluate writes map and map_split; --tune-postprocess saves postprocess.json', async () => {
    const out = tmp.fresh('eval-inst');
    expectOk(await runOn(instanceRecipe, 'evaluate', data, model, out));
    const metrics = readJson(path.join(out, 'metrics.json')) as Record<string, unknown>;
    expect(metrics.map).toBeCloseTo(1, 6); // one object per image, found exactly
    expect(metrics.map_split).toBeCloseTo(1, 6);
    expect(metrics.split).toMatchObject({ h: 1, minArea: 10, source: 'defaults' });

    const tuneModel = path.join(tmp.dir, 'model-tuned');
    fs.cpSync(model, tuneModel, { recursive: true });
    const tuned = tmp.fresh('eval-tune');
    expectOk(await runOn(instanceRecipe, 'evaluate', data, tuneModel, tuned, '--tune-postprocess'));
    const saved = readJson(path.join(tuneModel, 'postprocess.json')) as {
      instances: { h: number; minArea: number };
      grid: unknown[];
    };
    expect(saved.grid).toHaveLength(12);
    expect(saved.instances).toEqual({ h: 0.5, minArea: 0 }); // all tie at 1: the first setting
    const again = tmp.fresh('eval-after-tune');
    expectOk(await runOn(instanceRecipe, 'evaluate', data, tuneModel, again));
    const after = readJson(path.join(again, 'metrics.json')) as { split: { source: string } };
    expect(after.split.source).toBe(path.join(tuneModel, 'postprocess.json'));
  });

  it('--tune-postprocess on a recipe without instances is a usage error', async () => {
    const r = await runOn(fakeRecipe, 'evaluate', data, model, tmp.fresh(), '--tune-postprocess');
    expectFakeError(r, 2, /--tune-postprocess/, /instance/);
  });

  it('predict --instances writes a 16-bit label PNG beside the mask, objects numbered in raster order', async () => {
    const input = path.join(tmp.dir, 'two-objects');
    const [width, height] = [48, 32];
    const image = new Float32Array(width * height * 3).fill(0.1);
    const inA = (x: number, y: number) => x >= 4 && x < 14 && y >= 6 && y < 16;
    const inB = (x: number, y: number) => (x - 32) ** 2 + (y - 20) ** 2 < 49;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) if (inA(x, y) || inB(x, y)) image[(y * width + x) * 3] = 0.9;
    await encodePng(path.join(input, 'pair.png'), { data: image, width, height, channels: 3 });
    const out = tmp.fresh('pred-inst');
    expectOk(await runOn(instanceRecipe, 'predict', input, model, out, '--instances'));
    expect(fs.existsSync(path.join(out, 'masks', 'pair.png'))).toBe(true);
    const { values, header } = await readPng16(path.join(out, 'instances', 'pair.png'));
    expect(header.bitDepth).toBe(16);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        expect(values[y * width + x]).toBe(inA(x, y) ? 1 : inB(x, y) ? 2 : 0);
  });

  it('predict --instances with a recipe without instances is a usage error', async () => {
    const r = await runOn(fakeRecipe, 'predict', data, model, tmp.fresh(), '--instances');
    expectFakeError(r, 2, /--instances/);
  });

  it('predict --instances with more objects than 16 bits hold fails naming the image', async () => {
    const input = path.join(tmp.dir, 'many');
    const size = 520; // isolated pixels every other row and column: 260 x 260 = 67600 objects
    const image = new Float32Array(size * size * 3).fill(0.1);
    for (let y = 0; y < size; y += 2)
      for (let x = 0; x < size; x += 2) image[(y * size + x) * 3] = 0.9;
    await encodePng(path.join(input, 'dots.png'), {
      data: image,
      width: size,
      height: size,
      channels: 3,
    });
    const dotsModel = path.join(tmp.dir, 'model-dots');
    fs.cpSync(model, dotsModel, { recursive: true });
    fs.writeFileSync(
      path.join(dotsModel, 'postprocess.json'),
      JSON.stringify({ instances: { h: 1, minArea: 0 } }),
    );
    const r = await runOn(instanceRecipe, 'predict', input, dotsModel, tmp.fresh(), '--instances');
    expectFakeError(r, 1, 'dots.png', /do not fit in a 16-bit label image/);
  });
});
