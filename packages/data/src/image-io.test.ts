import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DataFileError,
  decodeImage,
  encodePng,
  type RasterImage,
  readImageHeader,
  resizeImage,
} from '@unet/data';
import { resizeBilinear } from '@unet/infer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasSharedData,
  makeTempDir,
  removeDir,
  sharedData,
  write16BitGrey,
  writePng,
} from './test-support.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(() => removeDir(dir));

describe('decodeImage', () => {
  it('drops alpha from RGBA and scales to [0, 1]', async () => {
    const file = path.join(dir, 'rgba.png');
    await writePng(file, 4, 3, 4, (x, _y, c) => (c === 3 ? 128 : c === 0 ? x * 60 : c * 100));
    const image = await decodeImage(file);
    expect([image.width, image.height, image.channels]).toEqual([4, 3, 3]);
    expect(image.data.length).toBe(4 * 3 * 3);
    expect(Array.from(image.data.slice(3, 6))).toEqual(
      [60 / 255, 100 / 255, 200 / 255].map(Math.fround),
    );
  });

  it('converts between grey and RGB on request', async () => {
    const grey = path.join(dir, 'grey.png');
    await writePng(grey, 5, 2, 1, (x) => x * 50);
    const asRgb = await decodeImage(grey, { channels: 3 });
    expect(asRgb.channels).toBe(3);
    expect(Array.from(asRgb.data.slice(3, 6))).toEqual(Array(3).fill(Math.fround(50 / 255)));
    const asGrey = await decodeImage(grey);
    expect(asGrey.channels).toBe(1);
    const rgb = path.join(dir, 'rgb.png');
    await writePng(rgb, 2, 2, 3, () => 200);
    const rgbAsGrey = await decodeImage(rgb, { channels: 1 });
    expect(rgbAsGrey.channels).toBe(1);
    expect(rgbAsGrey.data[0]).toBeCloseTo(200 / 255, 2);
  });

  it('keeps 16-bit precision', async () => {
    const file = path.join(dir, 'deep.png');
    await write16BitGrey(file, 3, 1, (x) => [0, 1000, 65535][x]!);
    expect((await readImageHeader(file)).bitDepth).toBe(16);
    const image = await decodeImage(file);
    expect(image.channels).toBe(1);
    expect(Array.from(image.data)).toEqual([0, 1000 / 65535, 1].map(Math.fround));
  });

  it.each([
    ['truncated', async (f: string, png: Buffer) => writeFile(f, png.subarray(0, png.length >> 1))],
    [
      'corrupt',
      async (f: string, png: Buffer) =>
        writeFile(f, Buffer.concat([png.subarray(0, 60), Buffer.alloc(200, 7)])),
    ],
    ['not an image', async (f: string) => writeFile(f, 'hello')],
  ])('names the file when it is %s', async (name, damage) => {
    const good = path.join(dir, `${name}-source.png`);
    await writePng(good, 64, 64, 3, (x, y, c) => (x * 7 + y * 13 + c * 31) % 256);
    const file = path.join(dir, `${name}.png`);
    await damage(file, await readFile(good));
    const error = await decodeImage(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).message).toContain(file);
    expect((error as DataFileError).problem).toBe('corrupt-image');
  });

  it('reports a missing file', async () => {
    const file = path.join(dir, 'nope.png');
    await expect(decodeImage(file)).rejects.toThrow(`${file}: file not found`);
  });
});

describe('encodePng', () => {
  it('round-trips 1 and 3 channels at 8 bits and creates folders', async () => {
    for (const channels of [1, 3]) {
      const image: RasterImage = {
        data: Float32Array.from({ length: 6 * 4 * channels }, (_, i) => (i % 256) / 255),
        width: 6,
        height: 4,
        channels,
      };
      const file = path.join(dir, 'nested', `c${channels}`, 'out.png');
      await encodePng(file, image);
      const back = await decodeImage(file);
      expect(back.channels).toBe(channels);
      expect(Array.from(back.data)).toEqual(Array.from(image.data));
    }
  });

  it('clamps out-of-range values and rejects a wrong data length', async () => {
    const file = path.join(dir, 'clamped.png');
    await encodePng(file, {
      data: Float32Array.from([-1, 2, Number.NaN, 0.5]),
      width: 4,
      height: 1,
      channels: 1,
    });
    const back = await decodeImage(file);
    expect(Array.from(back.data)).toEqual([0, 1, 0, Math.fround(128 / 255)]);
    await expect(
      encodePng(file, { data: new Float32Array(3), width: 2, height: 2, channels: 1 }),
    ).rejects.toThrow(/expected width\*height\*channels/);
  });
});

describe('resizeImage', () => {
  const checker: RasterImage = {
    data: Float32Array.from({ length: 64 * 48 }, (_, i) => (((i % 64) >> 3) + ((i / 64) >> 3)) % 2),
    width: 64,
    height: 48,
    channels: 1,
  };

  it('never invents grey levels in a binary mask (down and up)', async () => {
    for (const [w, h] of [
      [20, 15],
      [130, 97],
    ] as const) {
      const resized = await resizeImage(checker, w, h, 'mask');
      expect([resized.width, resized.height, resized.channels]).toEqual([w, h, 1]);
      expect(new Set(resized.data)).toEqual(new Set([0, 1]));
    }
  });

  it('keeps the label set of a non-binary mask (nearest neighbour)', async () => {
    const labels: RasterImage = {
      data: Float32Array.from({ length: 30 * 30 }, (_, i) =>
        i % 30 < 10 ? 0 : i % 30 < 20 ? 0.5 : 0.75,
      ),
      width: 30,
      height: 30,
      channels: 1,
    };
    const resized = await resizeImage(labels, 7, 11, 'mask');
    expect(new Set(resized.data)).toEqual(new Set([0, 0.5, 0.75].map(Math.fround)));
  });

  it('averages image pixels when shrinking and stays in [0, 1]', async () => {
    const rgb: RasterImage = {
      data: Float32Array.from({ length: 64 * 48 * 3 }, (_, i) => checker.data[Math.floor(i / 3)]!),
      width: 64,
      height: 48,
      channels: 3,
    };
    const resized = await resizeImage(rgb, 16, 12, 'image');
    expect(resized.channels).toBe(3);
    const values = Array.from(resized.data);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(values.some((v) => v > 0.05 && v < 0.95)).toBe(true);
  });

  it('resizes channel counts other than 1 and 3', async () => {
    const two: RasterImage = {
      data: new Float32Array(8 * 8 * 2).fill(0.25),
      width: 8,
      height: 8,
      channels: 2,
    };
    const resized = await resizeImage(two, 4, 4, 'image');
    expect(resized.channels).toBe(2);
    for (const v of resized.data) expect(v).toBeCloseTo(0.25, 4);
  });

  it.runIf(hasSharedData('dsb2018'))(
    "agrees with @unet/infer's resizeBilinear (prediction's resize) on a real micrograph",
    async () => {
      // Training images are resized here (sharp), predictions by @unet/infer (plain TypeScript,
      // also in a browser): the two must see the same picture.
      const file = path.join(
        sharedData,
        'dsb2018/stage1_train/00ae65c1c6631ae6f2be1a449902976e6eb8483bf6b0740d00530220832c6d3e/images/00ae65c1c6631ae6f2be1a449902976e6eb8483bf6b0740d00530220832c6d3e.png',
      );
      const image = await decodeImage(file, { channels: 3 });
      for (const [w, h] of [
        [128, 128],
        [97, 211],
        [1024, 1024],
      ] as const) {
        const bySharp = await resizeImage(image, w, h, 'image');
        const ours = resizeBilinear(image, w, h);
        let sum = 0;
        let max = 0;
        for (let i = 0; i < ours.data.length; i++) {
          const d = Math.abs(ours.data[i]! - bySharp.data[i]!);
          sum += d;
          max = Math.max(max, d);
        }
        expect(sum / ours.data.length, `${w}x${h} mean`).toBeLessThan(0.01);
        expect(max, `${w}x${h} max`).toBeLessThan(0.2);
      }
    },
  );
});
