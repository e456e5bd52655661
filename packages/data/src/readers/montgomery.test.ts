import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DataFileError, readMontgomery } from '@unet/data';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { box, isZeroOne, makeTempDir, removeDir, sum, writePng } from '../test-support.js';

/** Writes one X-ray with its left and right lung masks in the Montgomery layout. */
async function writeCase(root: string, name: string, width: number, height: number) {
  const third = Math.floor(width / 3);
  await writePng(path.join(root, 'CXR_png', name), width, height, 1, (x, y) => (x + y) % 256);
  await writePng(
    path.join(root, 'ManualMask', 'leftMask', name),
    width,
    height,
    1,
    box(2, 2, third, height - 2),
  );
  await writePng(
    path.join(root, 'ManualMask', 'rightMask', name),
    width,
    height,
    1,
    box(2 * third, 2, width - 2, height - 2),
  );
}

let root: string;
beforeAll(async () => {
  root = await makeTempDir('montgomery-');
  await writeCase(root, 'MCUCXR_0001_0.png', 60, 72);
  await writeCase(root, 'MCUCXR_0002_1.png', 72, 60);
});
afterAll(() => removeDir(root));

describe('readMontgomery', () => {
  it('ORs left and right masks, grey by default, 3 channels on request', async () => {
    const { samples } = await readMontgomery(root, { cache: false, progress: false });
    expect(samples.map((s) => s.id)).toEqual(['MCUCXR_0001_0', 'MCUCXR_0002_1']);
    const [first] = samples;
    expect(first!.image.channels).toBe(1);
    expect(first!.originalSize).toEqual({ width: 60, height: 72 });
    // left: x 2..19, right: x 40..57, y 2..69
    expect(sum(first!.mask!.data)).toBe((18 + 18) * 68);
    const rgb = await readMontgomery(root, {
      cache: false,
      progress: false,
      channels: 3,
      size: 32,
    });
    for (const sample of rgb.samples) {
      expect([sample.image.width, sample.image.height, sample.image.channels]).toEqual([32, 32, 3]);
      expect(isZeroOne(sample.mask!.data)).toBe(true);
    }
  });

  it('reads a full-size (4020x4892) X-ray and resizes it', async () => {
    const big = await makeTempDir('montgomery-big-');
    try {
      const [width, height] = [4020, 4892];
      const name = 'MCUCXR_0100_1.png';
      // Generated with sharp's own drawing so the 20-megapixel fixture stays quick to build.
      const gradient = await sharp({
        create: { width, height, channels: 3, background: { r: 90, g: 90, b: 90 } },
      })
        .toColourspace('b-w')
        .png({ compressionLevel: 1 })
        .toBuffer();
      const lung = (left: number) =>
        sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 } } })
          .composite([
            {
              input: {
                create: {
                  width: 1200,
                  height: 3000,
                  channels: 3,
                  background: { r: 255, g: 255, b: 255 },
                },
              },
              left,
              top: 900,
            },
          ])
          .toColourspace('b-w')
          .png({ compressionLevel: 1 });
      for (const folder of ['CXR_png', 'ManualMask/leftMask', 'ManualMask/rightMask']) {
        await mkdir(path.join(big, folder), { recursive: true });
      }
      await sharp(gradient).toFile(path.join(big, 'CXR_png', name));
      await lung(400).toFile(path.join(big, 'ManualMask', 'leftMask', name));
      await lung(2400).toFile(path.join(big, 'ManualMask', 'rightMask', name));

      const { samples } = await readMontgomery(big, { cache: false, progress: false, size: 256 });
      const [sample] = samples;
      expect(sample!.originalSize).toEqual({ width, height });
      expect([sample!.image.width, sample!.image.height]).toEqual([256, 256]);
      expect(sample!.image.data[0]).toBeCloseTo(90 / 255, 2);
      expect(isZeroOne(sample!.mask!.data)).toBe(true);
      const expected = (2 * 1200 * 3000) / (width * height);
      expect(sum(sample!.mask!.data) / (256 * 256)).toBeCloseTo(expected, 2);
    } finally {
      await removeDir(big);
    }
  });

  it('names a missing right mask, and a mask of another size', async () => {
    const broken = await makeTempDir('montgomery-broken-');
    try {
      await writeCase(broken, 'a.png', 30, 30);
      await writeCase(broken, 'b.png', 30, 30);
      const missing = path.join(broken, 'ManualMask', 'rightMask', 'a.png');
      await rm(missing);
      for (const cache of [false, path.join(broken, 'cache')]) {
        const error = await readMontgomery(broken, { cache, progress: false }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DataFileError);
        expect((error as DataFileError).file).toBe(missing);
      }
      await writePng(missing, 31, 30, 1, box(0, 0, 3, 3));
      await expect(readMontgomery(broken, { cache: false, progress: false })).rejects.toThrow(
        `${missing}: mask is 31x30 but its image`,
      );
    } finally {
      await removeDir(broken);
    }
  });

  it('names a missing CXR_png or mask folder', async () => {
    const empty = await makeTempDir('montgomery-empty-');
    try {
      await expect(readMontgomery(empty)).rejects.toThrow(path.join(empty, 'CXR_png'));
      await writePng(path.join(empty, 'CXR_png', 'a.png'), 4, 4, 1, () => 0);
      await expect(readMontgomery(empty)).rejects.toThrow(
        path.join(empty, 'ManualMask', 'leftMask'),
      );
    } finally {
      await removeDir(empty);
    }
  });
});
