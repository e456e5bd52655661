import { describe, expect, it } from 'vitest';
import { parseShard, selectShard, shardOf } from './shard.js';

describe('--shard I/N', () => {
  it('parses I/N with 1 <= I <= N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/2', '1/2/3']) {
      expect(() => parseShard(bad), bad).toThrow(/--shard must be I\/N/);
    }
  });

  it('splits by a hash of the image name: deterministic, every file in exactly one shard', () => {
    const files = Array.from({ length: 500 }, (_, i) => `/data/sub${i % 7}/image-${i}.png`);
    const shards = [1, 2, 3, 4, 5].map((i) => selectShard(files, `${i}/5`));
    expect(shards.flat().sort()).toEqual([...files].sort());
    for (const shard of shards) expect(shard.length).toBeGreaterThan(60); // roughly even
    // The id is the file stem, so the folder does not matter, and the answer never changes.
    expect(shardOf('image-1', 5)).toBe(shardOf('image-1', 5));
    expect(selectShard(['/a/x.png', '/b/x.tif'], '1/1')).toEqual(['/a/x.png', '/b/x.tif']);
    expect(shardOf('00071198d059ba7f', 4)).toBe(shardOf('00071198d059ba7f', 4));
  });

  it('keeps everything when no shard is given', () => {
    expect(selectShard(['a.png', 'b.png'], undefined)).toEqual(['a.png', 'b.png']);
  });
});
