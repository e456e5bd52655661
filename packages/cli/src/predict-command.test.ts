/**
 * `predict` on the fake recipe (predict-command.ts): one 0/255 PNG mask per input at the input's
 * original size, overlays with --overlay, and bad input failing with one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expectBinaryMask, expectOk, pngSize } from '@unet/cli-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FAKE_SIZES, writeFakeData } from '../test/fake-recipe.js';
import { expectFakeError, fakeCli, tempDir } from '../test/run-in-process.js';

const tmp = tempDir('predict');
let images: string;
let model: string;

beforeAll(async () => {
  const data = await writeFakeData(path.join(tmp.dir, 'data'));
  images = path.join(data, 'images');
  const run = path.join(tmp.dir, 'run');
  model = path.join(run, 'model');
  expectOk(await fakeCli('train', '--data', data, '--out', run, '--epochs', '1'));
});
afterAll(tmp.remove);

const predict = (input: string, dir: string, ...args: string[]) =>
  fakeCli('predict', '--input', input, '--model', model, '--out', dir, ...args);

describe('predict', () => {
  it('on a file writes a 0/255 mask at its original size, and an overlay with --overlay', async () => {
    const id = FAKE_IDS[1]!; // 40x24: not the model's 32x32, nor square
    const input = path.join(images, `${id}.png`);
    const dir = path.join(tmp.dir, 'pred-file');
    const r = await predict(input, dir, '--overlay');
    expectOk(r);
    const size = await pngSize(input);
    expect(size).toMatchObject({ width: 40, height: 24 });
    await expectBinaryMask(path.join(dir, 'masks', `${id}.png`), size);
    const overlay = await pngSize(path.join(dir, 'overlays', `${id}.png`));
    expect(overlay.format).toBe('png');
    expect(r.stderr).toContain(`1 masks written under ${path.join(dir, 'masks')}`);
  });

  it('on a folder writes one mask per image, each at its original size, and no overlays', async () => {
    const dir = path.join(tmp.dir, 'pred-folder');
    expectOk(await predict(images, dir, '--threshold', '0.3'));
    const names = FAKE_IDS.map((id) => `${id}.png`);
    expect(fs.readdirSync(path.join(dir, 'masks')).sort()).toEqual([...names].sort());
    expect(fs.existsSync(path.join(dir, 'overlays'))).toBe(false);
    for (const [i, id] of FAKE_IDS.entries()) {
      const [width, height] = FAKE_SIZES[i]!;
      await expectBinaryMask(path.join(dir, 'masks', `${id}.png`), {
        format: 'png',
        width,
        height,
      });
    }
  });
});

describe('predict on bad input exits with one line', () => {
  it('--input that does not exist (exit 2)', async () => {
    const missing = path.join(tmp.dir, 'no-such-image.png');
    expectFakeError(await predict(missing, tmp.fresh()), 2, missing, /does not exist/);
  });

  it('a folder without images (exit 2)', async () => {
    const empty = path.join(tmp.dir, 'no-images');
    fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'sub', 'notes.txt'), 'not an image');
    expectFakeError(await predict(empty, tmp.fresh()), 2, empty, /no images/);
  });

  it('--model folder without model.json (exit 2)', async () => {
    const empty = path.join(tmp.dir, 'empty-model');
    fs.mkdirSync(empty);
    const r = await fakeCli('predict', '--input', images, '--model', empty, '--out', tmp.fresh());
    expectFakeError(r, 2, 'model.json');
  });

  it('a corrupt image (exit 1, naming the file)', async () => {
    const broken = path.join(tmp.dir, 'broken');
    fs.cpSync(images, broken, { recursive: true });
    const garbage = path.join(broken, `${FAKE_IDS[4]}.png`);
    fs.writeFileSync(garbage, Buffer.from('definitely not a PNG file, just some garbage bytes'));
    expectFakeError(await predict(broken, tmp.fresh()), 1, garbage, /decode|corrupt|not an image/);
  });
});
