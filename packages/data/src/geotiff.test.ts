import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGeoReference } from './geotiff.js';

const spacenet = path.resolve(__dirname, '../../../../shared/data/spacenet-atlanta');

describe('readGeoReference', () => {
  it('reads the SpaceNet sample GeoTIFF: pixel scale + tie point, EPSG code', async () => {
    const ref = await readGeoReference(path.join(spacenet, 'sample_geotiff.tif'));
    expect(ref).not.toBeNull();
    expect(ref!.geoTransform).toEqual([733601, 0.5, 0, 3725139, 0, -0.5]); // 0.5 m pixels, north up
    expect(ref!.crs).toBe('urn:ogc:def:crs:EPSG::32616'); // UTM 16N (Atlanta)
    const [x0, sx, rx, y0, ry, sy] = ref!.geoTransform;
    expect(sx).toBeGreaterThan(0);
    expect(sy).toBeLessThan(0);
    expect(rx).toBe(0);
    expect(ry).toBe(0);
    expect(Number.isFinite(x0) && Number.isFinite(y0)).toBe(true);
  });

  it('is null for a PNG and for a TIFF without GeoTIFF tags', async () => {
    const dsb = path.resolve(__dirname, '../../../../shared/data/dsb2018/stage1_train');
    const { readdir } = await import('node:fs/promises');
    const id = (await readdir(dsb)).sort()[0]!;
    expect(await readGeoReference(path.join(dsb, id, 'images', `${id}.png`))).toBeNull();
  });
});
