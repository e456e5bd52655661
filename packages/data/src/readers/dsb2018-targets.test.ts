// The 3-class instance targets (`targets: 'instances'`) of real DSB2018 samples: what the
// dsb2018 app's `train --targets instances` learns.
import path from 'node:path';
import {
  augmentPair,
  createRandom,
  INSTANCE_TARGET_CLASSES,
  listDsb2018,
  type RasterImage,
} from '@unet/data';
import { INSTANCE_CLASSES, labelComponents, resizeNearest } from '@unet/infer';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData, useTempDir } from '../test-support.js';

const stage1 = path.join(sharedData, 'dsb2018', 'stage1_train');
const haveDsb = hasSharedData('dsb2018/stage1_train');

/** Small samples with touching nuclei that connected components of the union merge. */
const TOUCHING = [
  '00071198d059ba7f5914a526d124d28e6d010c92466da21d4a04cd5413362552',
  '4a424e0cb845cf6fd4d9fe62875552c7b89a4e0276cf16ebf46babe4656a794e',
];

const tmp = useTempDir();

/** Labels of the 8 neighbours of (x, y) inside the image. */
function neighbours(labels: ArrayLike<number>, width: number, height: number, i: number) {
  const x = i % width;
  const y = (i - x) / width;
  const out: number[] = [];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const u = x + dx;
      const v = y + dy;
      if ((dx || dy) && u >= 0 && v >= 0 && u < width && v < height)
        out.push(labels[v * width + u]!);
    }
  }
  return out;
}

/**
 * Checks a target against the nucleus labels it was made from: background exactly off the
 * nuclei; boundary exactly the nucleus pixels with a pixel of another nucleus or background
 * among their 8 neighbours; every 8-connected interior region inside one nucleus. Returns the
 * number of interior regions and of union components.
 */
function checkTarget(target: ArrayLike<number>, labels: ArrayLike<number>, w: number, h: number) {
  const counts = [0, 0, 0];
  for (let i = 0; i < w * h; i++) {
    const own = labels[i]!;
    const cls = target[i]!;
    counts[cls]! += 1;
    if (own === 0) {
      expect(cls).toBe(INSTANCE_CLASSES.background);
      continue;
    }
    const atEdge = neighbours(labels, w, h, i).some((l) => l !== own);
    expect(cls).toBe(atEdge ? INSTANCE_CLASSES.boundary : INSTANCE_CLASSES.interior);
  }
  expect(counts.every((c) => c > 0)).toBe(true);
  const interior = Float32Array.from(target, (c) => (c === INSTANCE_CLASSES.interior ? 1 : 0));
  const regions = labelComponents(interior, w, h, { connectivity: 8 });
  const owner = new Map<number, number>();
  for (let i = 0; i < w * h; i++) {
    const region = regions.labels[i]!;
    if (region === 0) continue;
    const nucleus = owner.get(region) ?? labels[i]!;
    expect(nucleus, `interior region ${region} spans two nuclei`).toBe(labels[i]);
    owner.set(region, nucleus);
  }
  const union = Float32Array.from(labels, (l) => (l > 0 ? 1 : 0));
  const unionCount = labelComponents(union, w, h, { connectivity: 8 }).count;
  return {
    interiorRegions: regions.count,
    unionCount,
    nucleiWithInterior: new Set(owner.values()).size,
  };
}

describe.runIf(haveDsb)('DSB2018 instance targets (background / interior / boundary)', () => {
  it('name their classes in the index order of INSTANCE_CLASSES', () => {
    const names = INSTANCE_TARGET_CLASSES.classes.map((c) => c.name);
    expect(names).toEqual(Object.keys(INSTANCE_CLASSES));
    names.forEach((name, i) => {
      expect(INSTANCE_CLASSES[name as keyof typeof INSTANCE_CLASSES]).toBe(i);
    });
  });

  it('put the boundary exactly at the edges of each nucleus and separate touching ones', async () => {
    const refs = await listDsb2018(stage1, { targets: 'instances', cache: false });
    for (const id of TOUCHING) {
      const sample = await refs.find((r) => r.id === id)!.load();
      const { labels, width, height, count } = sample.instances!;
      expect([sample.mask!.width, sample.mask!.height]).toEqual([width, height]);
      const result = checkTarget(sample.mask!.data, labels, width, height);
      // Connected components of the union merge touching nuclei; the interiors do not.
      expect(result.unionCount).toBeLessThan(count);
      expect(result.interiorRegions).toBeGreaterThanOrEqual(result.nucleiWithInterior);
      expect(result.nucleiWithInterior).toBeGreaterThan(result.unionCount);
    }
  });

  it('are computed at the training size from nearest-resized labels, cached as class indices', async () => {
    const cache = path.join(tmp(), 'cache');
    const options = { size: 96, targets: 'instances' as const, cache, progress: false };
    const ref = (await listDsb2018(stage1, options)).find((r) => r.id === TOUCHING[0])!;
    const first = await ref.load();
    const again = await (await listDsb2018(stage1, options))
      .find((r) => r.id === TOUCHING[0])!
      .load();
    expect(ref.stats.cacheMisses).toBe(1);
    expect(Array.from(again.mask!.data)).toEqual(Array.from(first.mask!.data));
    const { labels, width, height } = first.instances!;
    const small = resizeNearest({ data: labels, width, height, channels: 1 }, 96, 96).data;
    checkTarget(first.mask!.data, small, 96, 96);
    // The binary listing of the same files is the union (resized smoothly, not by nearest
    // neighbour: the edges may differ by a pixel), not the classes.
    const binary = await (await listDsb2018(stage1, { size: 96, cache, progress: false }))
      .find((r) => r.id === TOUCHING[0])!
      .load();
    expect(new Set(binary.mask!.data)).toEqual(new Set([0, 1]));
    let both = 0;
    let either = 0;
    binary.mask!.data.forEach((b, i) => {
      const t = first.mask!.data[i]! > 0 ? 1 : 0;
      both += b && t ? 1 : 0;
      either += b || t ? 1 : 0;
    });
    expect(both / either).toBeGreaterThan(0.85);
  });

  it('move with the image under flips and rotations, keeping exact class indices', async () => {
    const ref = (await listDsb2018(stage1, { size: 64, targets: 'instances', cache: false })).find(
      (r) => r.id === TOUCHING[1],
    )!;
    const { mask } = await ref.load();
    // The image carries the class in its first channel, so both must move the same way.
    const image: RasterImage = {
      data: new Float32Array(64 * 64 * 3),
      width: 64,
      height: 64,
      channels: 3,
    };
    mask!.data.forEach((c, i) => {
      image.data[i * 3] = c / 2;
    });
    const histogram = (data: ArrayLike<number>) =>
      [0, 1, 2].map((c) => Array.from(data).filter((v) => v === c).length);
    for (let seed = 0; seed < 8; seed++) {
      const out = augmentPair(image, mask!, createRandom(seed));
      expect(histogram(out.mask.data)).toEqual(histogram(mask!.data));
      out.mask.data.forEach((c, i) => {
        expect(c).toBe(out.image.data[i * 3]! * 2);
      });
    }
  });
});
