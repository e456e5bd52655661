import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clearCache, listImageFolder, readImageFolder } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { box, makeTempDir, removeDir, sameValues, writePng } from './test-support.js';

let dir: string;
let data: string;
let cache: string;
beforeAll(async () => {
  dir = await makeTempDir('cache-');
  data = path.join(dir, 'data');
  cache = path.join(dir, 'cache');
  for (const name of ['a', 'b', 'c']) {
    await writePng(
      path.join(data, 'images', `${name}.png`),
      40,
      30,
      3,
      (x, y, c) => (x * 3 + y * 5 + c) % 256,
    );
    await writePng(path.join(data, 'masks', `${name}.png`), 40, 30, 1, box(5, 5, 20, 25));
  }
});
afterAll(() => removeDir(dir));

const load = (extra = {}) => readImageFolder(data, { cache, progress: false, size: 16, ...extra });

async function listEntries(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const sub of await readdir(root).catch(() => [])) {
    for (const name of await readdir(path.join(root, sub))) found.push(name);
  }
  return found;
}

describe('on-disk sample cache', () => {
  it('decodes on the first load and decodes nothing on the second', async () => {
    const first = await load();
    expect(first.stats).toEqual({ cacheHits: 0, cacheMisses: 3, decodedFiles: 6 });
    const second = await load();
    expect(second.stats).toEqual({ cacheHits: 3, cacheMisses: 0, decodedFiles: 0 });
    for (const [i, sample] of second.samples.entries()) {
      const original = first.samples[i]!;
      expect(sample.id).toBe(original.id);
      expect(sample.originalSize).toEqual(original.originalSize);
      expect(sameValues(sample.image.data, original.image.data)).toBe(true);
      expect(sameValues(sample.mask!.data, original.mask!.data)).toBe(true);
      expect(sample.files).toEqual(original.files);
    }
    expect(await listEntries(cache)).toHaveLength(3);
  });

  it('misses when settings change', async () => {
    expect((await load({ size: 8 })).stats.cacheMisses).toBe(3);
    expect((await load({ size: 8, channels: 1 })).stats.cacheMisses).toBe(3);
    expect((await load({ size: 8 })).stats.cacheHits).toBe(3);
  });

  it('decodes a sample again when one of its files changes (mtime or size)', async () => {
    const mask = path.join(data, 'masks', 'b.png');
    const later = new Date(Date.now() + 60_000);
    await utimes(mask, later, later);
    const stats = (await load()).stats;
    expect(stats).toEqual({ cacheHits: 2, cacheMisses: 1, decodedFiles: 2 });
  });

  it('fingerprints a listed sample once: its later loads reuse the key, a new listing sees edits', async () => {
    const refs = await listImageFolder(data, { cache, progress: false, size: 12 });
    const ref = refs.find((r) => r.id === 'c')!;
    await ref.load();
    const mask = path.join(data, 'masks', 'c.png');
    const later = new Date(Date.now() + 120_000);
    await utimes(mask, later, later);
    const misses = ref.stats.cacheMisses;
    await ref.load();
    expect(ref.stats.cacheMisses).toBe(misses);
    const relisted = await listImageFolder(data, { cache, progress: false, size: 12 });
    await relisted.find((r) => r.id === 'c')!.load();
    expect(relisted[0]!.stats.cacheMisses).toBe(1);
  });

  it('treats a damaged entry as a miss', async () => {
    for (const sub of await readdir(cache)) {
      for (const name of await readdir(path.join(cache, sub))) {
        await writeFile(path.join(cache, sub, name), 'damaged');
      }
    }
    const result = await load();
    expect(result.stats.cacheHits).toBe(0);
    expect(result.samples).toHaveLength(3);
    expect((await load()).stats.cacheHits).toBe(3);
  });

  it('is off with cache: false and removable with clearCache', async () => {
    expect((await load({ cache: false })).stats).toEqual({
      cacheHits: 0,
      cacheMisses: 3,
      decodedFiles: 6,
    });
    await clearCache(cache);
    expect(await listEntries(cache)).toEqual([]);
  });
});
