import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  augmentPair,
  CAMVID_CLASSES,
  type ClassList,
  classMaskToRaster,
  createRandom,
  DataFileError,
  listImageFolder,
  readCamvid,
  readClassMask,
  readImageFolder,
  resizeClassMask,
} from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasSharedData,
  makeTempDir,
  referenceDir,
  removeDir,
  sharedData,
  write16BitGrey,
  writePng,
} from './test-support.js';

const THREE: ClassList = {
  classes: [
    { name: 'background', color: [0, 0, 0] },
    { name: 'cell', color: [255, 0, 0] },
    { name: 'membrane', color: [0, 0, 255] },
  ],
  ignoreIndex: 255,
  ignoreColor: [255, 255, 255],
};

/** Class of pixel (x, y) in the 6x4 fixtures: stripes 0, 1, 2 by column pair, void in the corner. */
const stripe = (x: number, y: number) => (x === 5 && y === 3 ? 255 : Math.floor(x / 2));
const colourOf = (index: number) =>
  index === 255 ? THREE.ignoreColor! : THREE.classes[index]!.color!;

function values(data: ArrayLike<number>): number[] {
  return [...new Set(Array.from(data))].sort((a, b) => a - b);
}

function histogram(data: ArrayLike<number>, size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < data.length; i++) counts[data[i]!]!++;
  return counts;
}

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
  await writePng(path.join(dir, 'index.png'), 6, 4, 1, stripe);
  await writePng(path.join(dir, 'index-bad.png'), 6, 4, 1, (x, y) => (x === 2 && y === 1 ? 7 : 0));
  await writePng(path.join(dir, 'palette.png'), 6, 4, 3, (x, y, c) => colourOf(stripe(x, y))[c]!);
  await writePng(path.join(dir, 'palette-bad.png'), 6, 4, 3, (x, y, c) =>
    x === 4 && y === 0 ? [10, 200, 30][c]! : 0,
  );
  // A folder of images with index masks for the generic reader.
  for (const name of ['a', 'b']) {
    await writePng(path.join(dir, 'set/images', `${name}.png`), 6, 4, 3, (x) => x * 40);
    await writePng(path.join(dir, 'set/masks', `${name}.png`), 6, 4, 1, stripe);
    await writePng(path.join(dir, 'mixed/images', `${name}.png`), 6, 4, 3, (x) => x * 40);
  }
  await writePng(path.join(dir, 'mixed/masks/a.png'), 6, 4, 1, stripe);
  await writePng(path.join(dir, 'mixed/masks/b.png'), 6, 4, 1, (x) => (x === 3 ? 9 : 0));
});
afterAll(() => removeDir(dir));

describe('readClassMask on generated fixtures', () => {
  it('reads an index mask value for value, the ignore value included', async () => {
    const mask = await readClassMask(path.join(dir, 'index.png'), THREE);
    expect([mask.width, mask.height]).toEqual([6, 4]);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 6; x++) expect(mask.data[y * 6 + x]).toBe(stripe(x, y));
    }
  });

  it('maps a colour-coded mask through the palette, ignore colour to the ignore index', async () => {
    const index = await readClassMask(path.join(dir, 'index.png'), THREE);
    const palette = await readClassMask(path.join(dir, 'palette.png'), THREE);
    expect(Array.from(palette.data)).toEqual(Array.from(index.data));
    expect(palette.data[23]).toBe(255);
  });

  it('fails naming the file, the unknown value and where it is', async () => {
    const file = path.join(dir, 'index-bad.png');
    const error = await readClassMask(file, THREE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).problem).toBe('unknown-class-value');
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('value 7');
    expect((error as Error).message).toContain('pixel (2, 1)');
    expect((error as Error).message).toContain('the ignore value is 255');
  });

  it('fails on the ignore value when the class list declares none', async () => {
    const { ignoreIndex, ignoreColor, ...noIgnore } = THREE;
    await expect(readClassMask(path.join(dir, 'index.png'), noIgnore)).rejects.toThrow(
      /value 255 .*no ignore value is declared/,
    );
  });

  it('fails naming the file and an unknown colour', async () => {
    const file = path.join(dir, 'palette-bad.png');
    await expect(readClassMask(file, THREE)).rejects.toThrow(
      `${file}: pixel (4, 0) holds colour [10, 200, 30]`,
    );
  });

  it('refuses a colour file as an index mask and a palette without colours', async () => {
    await expect(readClassMask(path.join(dir, 'palette.png'), THREE, 'index')).rejects.toThrow(
      /one channel .* 3 colour channels/,
    );
    const noColours = { classes: THREE.classes.map(({ name }) => ({ name })), ignoreIndex: 255 };
    await expect(
      readClassMask(path.join(dir, 'palette.png'), noColours, 'palette'),
    ).rejects.toThrow(/needs a colour for every class/);
  });

  it('reads 16-bit index masks and names a value beyond the classes', async () => {
    const good = path.join(dir, 'index16.png');
    await write16BitGrey(good, 6, 4, stripe);
    expect(Array.from((await readClassMask(good, THREE)).data)).toEqual(
      Array.from((await readClassMask(path.join(dir, 'index.png'), THREE)).data),
    );
    const bad = path.join(dir, 'index16-bad.png');
    await write16BitGrey(bad, 6, 4, (x, y) => (x === 1 && y === 3 ? 300 : 1));
    await expect(readClassMask(bad, THREE)).rejects.toThrow(`${bad}: pixel (1, 3) holds value 300`);
  });
});

describe('class masks through the image-folder reader', () => {
  it('reads class indices into the sample mask and resizes them nearest-neighbour', async () => {
    const { samples } = await readImageFolder(path.join(dir, 'set'), {
      classes: THREE,
      size: { width: 12, height: 8 },
      cache: false,
    });
    expect(samples.map((s) => s.id)).toEqual(['a', 'b']);
    const mask = samples[0]!.mask!;
    expect([mask.width, mask.height, mask.channels]).toEqual([12, 8, 1]);
    // Doubling by nearest neighbour: pixel (x, y) comes from (x >> 1, y >> 1).
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 12; x++) expect(mask.data[y * 12 + x]).toBe(stripe(x >> 1, y >> 1));
    }
  });

  it('skips a sample whose mask holds an unknown value when asked to, naming file and value', async () => {
    const warnings: string[] = [];
    const { samples, skipped } = await readImageFolder(path.join(dir, 'mixed'), {
      classes: THREE,
      cache: false,
      skipBadSamples: true,
      onWarning: (message) => warnings.push(message),
    });
    expect(samples.map((s) => s.id)).toEqual(['a']);
    expect(skipped.map((s) => [s.id, s.error.problem])).toEqual([['b', 'unknown-class-value']]);
    expect(skipped[0]!.error.message).toContain(path.join(dir, 'mixed/masks/b.png'));
    expect(skipped[0]!.error.message).toContain('value 9');
    await expect(
      readImageFolder(path.join(dir, 'mixed'), { classes: THREE, cache: false }),
    ).rejects.toThrow(/masks\/b\.png: pixel \(3, 0\) holds value 9 \(4 such pixels\)/);
  });

  it('caches class masks exactly, under a key that includes the class list', async () => {
    const cache = path.join(dir, 'cache');
    const read = (classes: ClassList) =>
      readImageFolder(path.join(dir, 'set'), { classes, cache, size: 5 });
    const first = await read(THREE);
    const second = await read(THREE);
    expect(second.samples[0]!.mask!.data).toEqual(first.samples[0]!.mask!.data);
    const refs = await listImageFolder(path.join(dir, 'set'), { classes: THREE, cache, size: 5 });
    await refs[0]!.load();
    expect(refs[0]!.stats.cacheHits).toBe(1);
    // Another class list (no ignore value) must decode again, and then fail on the 255 pixel.
    const { ignoreIndex, ignoreColor, ...noIgnore } = THREE;
    await expect(read(noIgnore)).rejects.toThrow(/value 255/);
  });

  it('still reads binary masks without the classes option (they are not binary here)', async () => {
    await expect(readImageFolder(path.join(dir, 'set'), { cache: false })).rejects.toThrow(
      /not binary/,
    );
  });
});

describe('class masks keep their classes', () => {
  it('nearest resize keeps the set of class values, shrinking and growing', () => {
    const width = 37;
    const height = 23;
    const data = new Uint8Array(width * height);
    // Blocks of 5x5 pixels, so every class survives a shrink to about half size.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++)
        data[y * width + x] = [0, 1, 2, 255][(Math.floor(x / 5) + Math.floor(y / 5)) % 4]!;
    }
    const mask = { data, width, height };
    for (const [w, h] of [
      [19, 12],
      [80, 41],
    ]) {
      const resized = resizeClassMask(mask, w!, h!);
      expect([resized.width, resized.height]).toEqual([w, h]);
      expect(values(resized.data)).toEqual([0, 1, 2, 255]);
    }
  });

  it('elastic augmentation never interpolates one class into another', () => {
    const width = 32;
    const height = 32;
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = i % width < 16 ? 1 : 3; // no 2 anywhere
    const mask = { data, width, height, channels: 1 };
    const image = { data: new Float32Array(width * height), width, height, channels: 1 };
    const random = createRandom(7);
    let changed = 0;
    for (let k = 0; k < 10; k++) {
      const out = augmentPair(image, mask, random, { elastic: { probability: 1, alpha: 3 } });
      expect(values(out.mask.data)).toEqual([1, 3]);
      changed += out.mask.data.some((v, i) => v !== data[i]) ? 1 : 0;
    }
    expect(changed).toBeGreaterThan(0); // the field really moved pixels
  });
});

const haveCamvid = hasSharedData('camvid');
const camvid = path.join(sharedData, 'camvid');

describe.runIf(haveCamvid)('CamVid (SegNet layout) from ../shared/data/camvid', () => {
  const reference = JSON.parse(readFileSync(path.join(referenceDir, 'camvid.json'), 'utf8')) as {
    train: Record<string, number[]>;
    val: Record<string, number[]>;
  };

  it('reads annotations with the same class counts as PIL (void 11 kept as 11)', async () => {
    for (const id of Object.keys(reference.train).slice(0, 5)) {
      const mask = await readClassMask(
        path.join(camvid, 'trainannot', `${id}.png`),
        CAMVID_CLASSES,
      );
      expect([mask.width, mask.height]).toEqual([480, 360]);
      expect(histogram(mask.data, 12), id).toEqual(reference.train[id]);
    }
  });

  it('pairs val/x.png with valannot/x.png and resizes masks without new values', async () => {
    const { samples } = await readCamvid(camvid, {
      subset: 'val',
      size: { width: 240, height: 180 },
      cache: false,
    });
    expect(samples.map((s) => s.id)).toEqual(Object.keys(reference.val));
    for (const sample of samples) {
      expect(sample.image.channels).toBe(3);
      expect(sample.originalSize).toEqual({ width: 480, height: 360 });
      const present = reference.val[sample.id]!.flatMap((n, v) => (n > 0 ? [v] : []));
      // Halving keeps each class that covers more than a few pixels; it never adds one.
      const found = values(sample.mask!.data);
      expect(present, sample.id).toEqual(expect.arrayContaining(found));
    }
    const full = await readCamvid(camvid, { subset: 'val', cache: false });
    for (const sample of full.samples) {
      expect(histogram(sample.mask!.data, 12), sample.id).toEqual(reference.val[sample.id]);
    }
  });

  it('reads SegNet colour-coded masks through the CamVid palette to the same indices', async () => {
    const id = Object.keys(reference.train)[0]!;
    const index = await readClassMask(path.join(camvid, 'trainannot', `${id}.png`), CAMVID_CLASSES);
    const palette = [...CAMVID_CLASSES.classes.map((c) => c.color!), CAMVID_CLASSES.ignoreColor!];
    const file = path.join(dir, 'camvid-colour.png');
    await writePng(file, 480, 360, 3, (x, y, c) => palette[index.data[y * 480 + x]!]![c]!);
    const colour = await readClassMask(file, CAMVID_CLASSES);
    expect(histogram(colour.data, 12)).toEqual(reference.train[id]);
    expect(classMaskToRaster(colour).data.every((v, i) => v === index.data[i])).toBe(true);
  });

  it('fails naming the split folder when it is missing', async () => {
    await expect(readCamvid(camvid, { subset: 'test', cache: false })).rejects.toThrow(
      path.join(camvid, 'test'),
    );
  });
});
