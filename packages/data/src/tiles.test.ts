import path from 'node:path';
import {
  cropSampleTile,
  listSatellite,
  type Sample,
  type SampleRef,
  tileGrid,
  tileId,
  tileSampleRefs,
} from '@unet/data';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from './test-support.js';

function rampSample(width: number, height: number): Sample {
  const image = new Float32Array(width * height * 3);
  const mask = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++)
        image[(y * width + x) * 3 + c] = (y * width + x + c) / (width * height * 3);
      mask[y * width + x] = (x + y) % 2;
    }
  }
  const labels = Int32Array.from(mask, (v, i) => (v ? 1 + (i % 5) : 0));
  return {
    id: 'scene',
    image: { data: image, width, height, channels: 3 },
    mask: { data: mask, width, height, channels: 1 },
    instances: { labels, width, height, count: 5 },
    originalSize: { width, height },
    files: ['scene.png'],
  };
}

describe('tileGrid', () => {
  it.each([
    [900, 900, 128, undefined, 49, { col: 6, row: 6, x: 768, y: 768 }],
    [256, 128, 128, undefined, 2, { col: 1, row: 0, x: 128, y: 0 }],
    [256, 256, 128, 64, 9, { col: 2, row: 2, x: 128, y: 128 }],
    [100, 300, 128, undefined, 0, undefined],
  ])('%ix%i in tiles of %i (overlap %s): %i tiles', (w, h, tileSize, overlap, count, last) => {
    const grid = tileGrid(w, h, { tileSize, overlap });
    expect(grid).toHaveLength(count);
    expect(grid.at(-1)).toEqual(last);
  });

  it('rejects sizes that are not whole numbers, and overlaps as large as the tile', () => {
    expect(() => tileGrid(10, 10, { tileSize: 0 })).toThrow(/positive integer/);
    expect(() => tileGrid(10, 10, { tileSize: 4, overlap: 1.5 })).toThrow(/whole number/);
    expect(() => tileGrid(10, 10, { tileSize: 4, overlap: 4 })).toThrow(/smaller than the tile/);
  });
});

describe('cropSampleTile', () => {
  it('crops image, mask and instance labels at the same place', () => {
    const sample = rampSample(10, 8);
    const tile = cropSampleTile(sample, { col: 1, row: 1, x: 4, y: 3 }, 4);
    expect(tile.id).toBe('scene_x1_y1');
    expect(tile.originalSize).toEqual({ width: 4, height: 4 });
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        const src = (y + 3) * 10 + (x + 4);
        expect(tile.image.data[(y * 4 + x) * 3 + 2]).toBe(sample.image.data[src * 3 + 2]);
        expect(tile.mask!.data[y * 4 + x]).toBe(sample.mask!.data[src]);
        expect(tile.instances!.labels[y * 4 + x]).toBe(sample.instances!.labels[src]);
      }
    }
  });

  it('refuses a tile outside the image, naming the file', () => {
    expect(() => cropSampleTile(rampSample(10, 8), { col: 2, row: 0, x: 8, y: 0 }, 4)).toThrow(
      /outside scene\.png/,
    );
  });
});

describe.runIf(hasSharedData('spacenet-atlanta'))('tileSampleRefs on the SpaceNet scene', () => {
  it('lists 49 tiles of 128 and decodes the scene once for all of them', async () => {
    const dir = path.join(sharedData, 'spacenet-atlanta');
    const [scene] = await listSatellite(
      {
        pairs: [
          {
            image: path.join(dir, 'sample_geotiff.tif'),
            polygons: path.join(dir, 'gj_to_px_result.geojson'),
            id: 'atlanta',
          },
        ],
      },
      { cache: false },
    );
    let loads = 0;
    const counted: SampleRef = {
      ...scene!,
      load: () => {
        loads++;
        return scene!.load();
      },
    };
    const tiles = await tileSampleRefs([counted], { tileSize: 128 });
    expect(tiles).toHaveLength(49);
    expect(tiles[8]!.id).toBe(tileId('atlanta', { col: 1, row: 1 }));
    const whole = await scene!.load();
    const [a, b] = await Promise.all([tiles[0]!.load(), tiles[8]!.load()]);
    expect(loads).toBe(1);
    expect(a.image.width).toBe(128);
    expect(b.mask!.data[0]).toBe(whole.mask!.data[128 * 900 + 128]);
    const c = whole.image.channels;
    expect(b.image.channels).toBe(c);
    expect(b.image.data[5 * c]).toBe(whole.image.data[(128 * 900 + 128 + 5) * c]);
  });
});
