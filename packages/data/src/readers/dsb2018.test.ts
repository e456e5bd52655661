import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataFileError, listDsb2018, loadSamples, readDsb2018 } from '@unet/data';
import { describe, expect, it } from 'vitest';
import {
  box,
  hasSharedData,
  isZeroOne,
  referenceDir,
  sameValues,
  sharedData,
  sum,
  useTempDir,
  writePng,
} from '../test-support.js';

interface DsbReference {
  images: number;
  masks: number;
  samples: Record<
    string,
    { width: number; height: number; masks: number; unionPixels: number; rgbMean: number[] }
  >;
}

const stage1 = path.join(sharedData, 'dsb2018', 'stage1_train');
const haveDsb = hasSharedData('dsb2018/stage1_train');

const tmp = useTempDir();

describe.runIf(haveDsb)('readDsb2018 on the real sample (56 images, 3,669 masks)', () => {
  const reference = JSON.parse(
    readFileSync(path.join(referenceDir, 'dsb2018.json'), 'utf8'),
  ) as DsbReference;

  it('matches the PIL/numpy reference at original size, then loads from cache without decoding', async () => {
    const cache = path.join(tmp(), 'cache');
    const first = await readDsb2018(stage1, { cache, progress: false });
    expect(first.samples).toHaveLength(reference.images);
    expect(first.stats).toEqual({ cacheHits: 0, cacheMisses: 56, decodedFiles: 56 + 3669 });
    let masks = 0;
    for (const sample of first.samples) {
      const want = reference.samples[sample.id]!;
      expect(sample.originalSize).toEqual({ width: want.width, height: want.height });
      expect(sample.image.channels).toBe(3); // RGBA -> RGB
      expect(sample.mask!.channels).toBe(1);
      expect(isZeroOne(sample.mask!.data)).toBe(true);
      expect(sum(sample.mask!.data), sample.id).toBe(want.unionPixels);
      expect(sample.instances!.count).toBe(want.masks);
      let labelled = 0;
      for (const label of sample.instances!.labels) if (label > 0) labelled++;
      expect(labelled).toBe(want.unionPixels);
      const pixels = sample.image.width * sample.image.height;
      for (let c = 0; c < 3; c++) {
        let total = 0;
        for (let i = c; i < sample.image.data.length; i += 3) total += sample.image.data[i]!;
        expect(total / pixels).toBeCloseTo(want.rgbMean[c]!, 5);
      }
      masks += sample.instances!.count;
    }
    expect(masks).toBe(reference.masks);

    const second = await readDsb2018(stage1, { cache, progress: false });
    expect(second.stats).toEqual({ cacheHits: 56, cacheMisses: 0, decodedFiles: 0 });
    for (const [i, sample] of second.samples.entries()) {
      const original = first.samples[i]!;
      expect(sample.id).toBe(original.id);
      expect(sameValues(sample.image.data, original.image.data)).toBe(true);
      expect(sameValues(sample.mask!.data, original.mask!.data)).toBe(true);
      expect(sameValues(sample.instances!.labels, original.instances!.labels)).toBe(true);
    }
  });

  it('resizes images and masks to a chosen size and keeps the original size', async () => {
    const refs = (await listDsb2018(stage1, { size: 128, cache: false })).slice(0, 6);
    const { samples } = await loadSamples(refs, { progress: false });
    for (const sample of samples) {
      expect([sample.image.width, sample.image.height, sample.image.channels]).toEqual([
        128, 128, 3,
      ]);
      expect([sample.mask!.width, sample.mask!.height]).toEqual([128, 128]);
      expect(isZeroOne(sample.mask!.data)).toBe(true);
      const want = reference.samples[sample.id]!;
      expect(sample.originalSize).toEqual({ width: want.width, height: want.height });
      // The union covers about the same fraction of the image after resizing.
      const fraction = sum(sample.mask!.data) / (128 * 128);
      expect(fraction).toBeCloseTo(want.unionPixels / (want.width * want.height), 1);
    }
  });
});

describe('readDsb2018 on generated folders', () => {
  async function makeSample(root: string, id: string, options: { masks?: boolean } = {}) {
    await writePng(path.join(root, id, 'images', `${id}.png`), 40, 30, 4, (x, y, c) =>
      c === 3 ? 255 : (x * 5 + y * 3 + c * 40) % 256,
    );
    if (options.masks !== false) {
      await writePng(path.join(root, id, 'masks', 'a.png'), 40, 30, 1, box(2, 2, 10, 10));
      await writePng(path.join(root, id, 'masks', 'b.png'), 40, 30, 1, box(20, 5, 30, 25));
    }
  }

  it('loads a test folder without masks as images only', async () => {
    const root = path.join(tmp(), 'stage1_test');
    await makeSample(root, 'one', { masks: false });
    await makeSample(root, 'two', { masks: false });
    const { samples } = await readDsb2018(root, { cache: false, progress: false });
    expect(samples.map((s) => s.id)).toEqual(['one', 'two']);
    for (const sample of samples) {
      expect(sample.mask).toBeUndefined();
      expect(sample.image.channels).toBe(3);
    }
  });

  it('labels instances in mask-file order and unions them', async () => {
    const root = path.join(tmp(), 'stage-labels');
    await makeSample(root, 's');
    const [sample] = (await readDsb2018(root, { cache: false, progress: false })).samples;
    expect(sum(sample!.mask!.data)).toBe(8 * 8 + 10 * 20);
    const labels = sample!.instances!.labels;
    expect(labels[3 * 40 + 3]).toBe(1);
    expect(labels[10 * 40 + 25]).toBe(2);
    expect(labels[0]).toBe(0);
  });

  it('fails a sample whose masks folder is missing when others have masks, or skips it', async () => {
    const root = path.join(tmp(), 'stage-missing-masks');
    await makeSample(root, 'good');
    await makeSample(root, 'lost', { masks: false });
    const error = await readDsb2018(root, { cache: false, progress: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).message).toContain(path.join(root, 'lost', 'masks'));
    expect((error as DataFileError).problem).toBe('missing-folder');
    const warnings: string[] = [];
    const result = await readDsb2018(root, {
      cache: false,
      progress: false,
      skipBadSamples: true,
      onWarning: (m) => warnings.push(m),
    });
    expect(result.samples.map((s) => s.id)).toEqual(['good']);
    expect(result.skipped.map((s) => s.id)).toEqual(['lost']);
    expect(warnings.join('\n')).toContain('skipped 1 of 2 samples');
  });

  it('names an instance mask whose size differs from its image', async () => {
    const root = path.join(tmp(), 'stage-size');
    await makeSample(root, 's');
    const wrong = path.join(root, 's', 'masks', 'c.png');
    await writePng(wrong, 41, 30, 1, box(0, 0, 5, 5));
    await expect(readDsb2018(root, { cache: false, progress: false })).rejects.toThrow(
      `${wrong}: mask is 41x30 but its image`,
    );
  });

  it('reports a missing or empty stage folder', async () => {
    const missing = path.join(tmp(), 'does-not-exist');
    await expect(readDsb2018(missing)).rejects.toThrow(
      `${missing}: DSB2018 stage folder not found`,
    );
    const empty = path.join(tmp(), 'empty-stage');
    await writePng(path.join(empty, 'stray.png'), 2, 2, 1, () => 0);
    await expect(readDsb2018(empty)).rejects.toMatchObject({ problem: 'empty-dataset' });
  });
});
