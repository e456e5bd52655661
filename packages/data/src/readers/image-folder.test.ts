import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataFileError, readImageFolder } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  box,
  hasSharedData,
  isZeroOne,
  makeTempDir,
  referenceDir,
  removeDir,
  sharedData,
  sum,
  writePng,
} from '../test-support.js';

const isbi = path.join(sharedData, 'isbi2012');
const haveIsbi = hasSharedData('isbi2012');

describe.runIf(haveIsbi)('readImageFolder on ISBI 2012 (train/image + train/label)', () => {
  const reference = JSON.parse(readFileSync(path.join(referenceDir, 'isbi2012.json'), 'utf8')) as {
    train: Record<
      string,
      { width: number; height: number; foregroundPixels: number; imageMean: number }
    >;
    testImages: number;
  };

  it('pairs images with labels and matches the reference pixel counts', async () => {
    const { samples } = await readImageFolder(isbi, {
      imagesDir: 'train/image',
      masksDir: 'train/label',
      cache: false,
      progress: false,
    });
    expect(samples.map((s) => s.id)).toEqual(Object.keys(reference.train).sort((a, b) => +a - +b));
    for (const sample of samples) {
      const want = reference.train[sample.id]!;
      expect(sample.image.channels).toBe(1);
      expect(sample.originalSize).toEqual({ width: want.width, height: want.height });
      expect(sum(sample.mask!.data)).toBe(want.foregroundPixels);
      expect(sum(sample.image.data) / sample.image.data.length).toBeCloseTo(want.imageMean, 5);
    }
  });

  it('loads the unlabelled test images with masksDir: null, resized', async () => {
    const { samples } = await readImageFolder(isbi, {
      imagesDir: 'test',
      masksDir: null,
      size: 256,
      cache: false,
      progress: false,
    });
    expect(samples).toHaveLength(reference.testImages);
    expect(samples.every((s) => s.mask === undefined && s.image.width === 256)).toBe(true);
  });
});

describe('readImageFolder bad input (generated fixtures)', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await makeTempDir('folder-');
  });
  afterAll(() => removeDir(dir));

  /** A folder with images/ and masks/ holding `names`, 24x16 each. */
  async function makeFolder(names: string[] = ['a', 'b']) {
    const root = path.join(dir, `set${n++}`);
    for (const name of names) {
      await writePng(
        path.join(root, 'images', `${name}.png`),
        24,
        16,
        3,
        (x, y, c) => (x * 10 + y + c) % 256,
      );
      await writePng(path.join(root, 'masks', `${name}.png`), 24, 16, 1, box(4, 4, 12, 12));
    }
    return root;
  }

  const read = (root: string, extra = {}) =>
    readImageFolder(root, { cache: false, progress: false, ...extra });

  async function expectProblem(promise: Promise<unknown>, file: string, problem: string) {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).problem).toBe(problem);
    expect((error as DataFileError).file).toBe(file);
    expect((error as DataFileError).message.startsWith(`${file}: `)).toBe(true);
  }

  it('reads a good folder: binary masks, matching names', async () => {
    const root = await makeFolder();
    const { samples, skipped } = await read(root, { size: 8 });
    expect(samples.map((s) => s.id)).toEqual(['a', 'b']);
    expect(skipped).toEqual([]);
    expect(isZeroOne(samples[0]!.mask!.data)).toBe(true);
    expect(samples[0]!.originalSize).toEqual({ width: 24, height: 16 });
  });

  it('missing images/ folder', async () => {
    const root = await makeFolder();
    await expectProblem(
      read(root, { imagesDir: 'pictures' }),
      path.join(root, 'pictures'),
      'missing-folder',
    );
  });

  it('missing masks/ folder', async () => {
    const root = await makeFolder();
    await expectProblem(
      read(root, { masksDir: 'labels' }),
      path.join(root, 'labels'),
      'missing-folder',
    );
  });

  it('empty dataset', async () => {
    const root = await makeFolder([]);
    await writePng(path.join(root, 'masks', 'x.png'), 2, 2, 1, () => 0);
    await writeFile(path.join(root, 'notes.txt'), 'not an image');
    await import('node:fs/promises').then((fs) =>
      fs.mkdir(path.join(root, 'images'), { recursive: true }),
    );
    await expectProblem(read(root), path.join(root, 'images'), 'empty-dataset');
  });

  it('image without a mask (never an empty mask)', async () => {
    const root = await makeFolder();
    await writePng(path.join(root, 'images', 'c.png'), 24, 16, 3, () => 9);
    await expectProblem(read(root), path.join(root, 'images', 'c.png'), 'missing-file');
  });

  it('corrupt image', async () => {
    const root = await makeFolder();
    const file = path.join(root, 'images', 'b.png');
    const bytes = await readFile(file);
    await writeFile(file, Buffer.concat([bytes.subarray(0, 50), Buffer.alloc(100, 1)]));
    await expectProblem(read(root), file, 'corrupt-image');
  });

  it('truncated image', async () => {
    const root = await makeFolder();
    const file = path.join(root, 'images', 'a.png');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 40));
    await expectProblem(read(root), file, 'corrupt-image');
  });

  it('truncated mask', async () => {
    const root = await makeFolder();
    const file = path.join(root, 'masks', 'a.png');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 30));
    await expectProblem(read(root), file, 'corrupt-image');
  });

  it('mask of a different size than its image', async () => {
    const root = await makeFolder();
    const file = path.join(root, 'masks', 'b.png');
    await writePng(file, 16, 24, 1, box(0, 0, 4, 4));
    await expectProblem(read(root), file, 'size-mismatch');
  });

  it('mask that is not binary, unless a threshold is given', async () => {
    const root = await makeFolder();
    const file = path.join(root, 'masks', 'a.png');
    await writePng(file, 24, 16, 1, (x) => (x < 8 ? 0 : x < 16 ? 128 : 255));
    await expectProblem(read(root), file, 'non-binary-mask');
    const { samples } = await read(root, { maskThreshold: 0.6 });
    expect(sum(samples[0]!.mask!.data)).toBe(8 * 16);
  });

  it('accepts 0/1, colour and transparent masks without inventing an empty one', async () => {
    const root = await makeFolder(['a', 'b', 'c']);
    await writePng(path.join(root, 'masks', 'a.png'), 24, 16, 1, (x) => (x < 6 ? 1 : 0));
    await writePng(path.join(root, 'masks', 'b.png'), 24, 16, 3, (x, _y, c) =>
      x < 6 && c === 0 ? 200 : 0,
    );
    await writePng(path.join(root, 'masks', 'c.png'), 24, 16, 4, (x, _y, c) =>
      c === 3 && x < 6 ? 255 : 0,
    );
    const { samples } = await read(root);
    for (const sample of samples) expect(sum(sample.mask!.data), sample.id).toBe(6 * 16);
  });

  it('skipBadSamples: warns, counts and keeps the good ones', async () => {
    const root = await makeFolder(['a', 'b', 'c', 'd']);
    await writeFile(path.join(root, 'images', 'b.png'), 'garbage');
    await writePng(path.join(root, 'masks', 'c.png'), 3, 3, 1, () => 255);
    await writePng(path.join(root, 'images', 'e.png'), 24, 16, 3, () => 1);
    const warnings: string[] = [];
    const result = await read(root, {
      skipBadSamples: true,
      onWarning: (m: string) => warnings.push(m),
    });
    expect(result.samples.map((s) => s.id)).toEqual(['a', 'd']);
    expect(result.skipped.map((s) => [s.id, s.error.problem])).toEqual([
      ['b', 'corrupt-image'],
      ['c', 'size-mismatch'],
      ['e', 'missing-file'],
    ]);
    expect(warnings.filter((w) => w.startsWith('skipping sample'))).toHaveLength(3);
    expect(warnings.at(-1)).toContain('skipped 3 of 5 samples');
  });

  it('all samples bad with skipBadSamples is still an empty-dataset error', async () => {
    const root = await makeFolder(['a']);
    await writeFile(path.join(root, 'images', 'a.png'), 'garbage');
    await expect(read(root, { skipBadSamples: true, onWarning: () => {} })).rejects.toMatchObject({
      problem: 'empty-dataset',
    });
  });

  it('matches masks by a name suffix and across extensions', async () => {
    const root = path.join(dir, 'suffix');
    await writePng(path.join(root, 'images', 'x1.png'), 10, 10, 3, () => 50);
    await writePng(path.join(root, 'masks', 'x1_mask.png'), 10, 10, 1, box(0, 0, 5, 10));
    const { samples } = await read(root, { maskSuffix: '_mask' });
    expect(sum(samples[0]!.mask!.data)).toBe(50);
  });
});
