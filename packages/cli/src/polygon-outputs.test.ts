/**
 * Polygon outputs of `predict` / `evaluate` on a polygon variant of the fake recipe: GeoJSON that
 * rasterises back to the mask, map coordinates of a georeferenced GeoTIFF, the building score.
 * The fixtures are in ../test/object-fixtures.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expectOk, readJson } from '@unet/cli-test-support';
import { decodeImage, parseGeoJsonPolygons, rasterizePolygons } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IDS, FAKE_SIZES } from '../test/fake-recipe.js';
import { polygonRecipe, runOn, spacenetTif, writeObjectFixtures } from '../test/object-fixtures.js';
import { expectFakeError, tempDir } from '../test/run-in-process.js';

const tmp = tempDir('polygons');
let data: string;
let model: string;

beforeAll(async () => {
  ({ data, model } = await writeObjectFixtures(tmp.dir));
});
afterAll(tmp.remove);

describe('polygon recipes', () => {
  it('predict writes GeoJSON in pixel coordinates that rasterises back to the mask', async () => {
    const out = tmp.fresh('pred-poly');
    const images = path.join(data, 'images');
    expectOk(await runOn(polygonRecipe, 'predict', images, model, out, '--simplify', '0'));
    for (const [i, id] of FAKE_IDS.entries()) {
      const [width, height] = FAKE_SIZES[i]!;
      const geojson = readJson(path.join(out, 'polygons', `${id}.geojson`)) as {
        type: string;
        features: unknown[];
      };
      expect(geojson.type).toBe('FeatureCollection');
      expect(geojson.features).toHaveLength(1);
      const { polygons, issues } = parseGeoJsonPolygons(geojson);
      expect(issues).toEqual([]);
      const drawn = rasterizePolygons(polygons, width, height).mask.data;
      const { data: mask } = await decodeImage(path.join(out, 'masks', `${id}.png`), {
        channels: 1,
      });
      let inter = 0;
      let union = 0;
      for (let k = 0; k < width * height; k++) {
        const a = drawn[k]! > 0.5;
        const b = mask[k]! > 0.5;
        inter += a && b ? 1 : 0;
        union += a || b ? 1 : 0;
      }
      expect(union).toBeGreaterThan(0);
      expect(inter / union).toBeGreaterThanOrEqual(0.99);
      expect(fs.existsSync(path.join(out, 'polygons', `${id}.map.geojson`))).toBe(false);
    }
  });

  it('a georeferenced GeoTIFF also gets map coordinates with its CRS', async () => {
    if (!fs.existsSync(spacenetTif)) return;
    const out = tmp.fresh('pred-geo');
    expectOk(
      await runOn(polygonRecipe, 'predict', spacenetTif, model, out, '--coordinates', 'map'),
    );
    const map = readJson(path.join(out, 'polygons', 'sample_geotiff.map.geojson')) as {
      crs: { properties: { name: string } };
      features: { geometry: { coordinates: number[][][] } }[];
    };
    expect(map.crs.properties.name).toBe('urn:ogc:def:crs:EPSG::32616');
    expect(map.features.length).toBeGreaterThan(0);
    for (const f of map.features.slice(0, 20)) {
      const coords = f.geometry.coordinates.flat(2) as unknown as number[];
      for (let k = 0; k < coords.length; k += 2) {
        expect(coords[k]).toBeGreaterThanOrEqual(733601);
        expect(coords[k]).toBeLessThanOrEqual(733601 + 450);
        expect(coords[k + 1]).toBeLessThanOrEqual(3725139);
        expect(coords[k + 1]).toBeGreaterThanOrEqual(3725139 - 450);
      }
    }
  });

  it('--coordinates map on an image without georeference fails naming it', async () => {
    const png = path.join(data, 'images', `${FAKE_IDS[0]}.png`);
    const r = await runOn(
      polygonRecipe,
      'predict',
      png,
      model,
      tmp.fresh(),
      '--coordinates',
      'map',
    );
    expectFakeError(r, 2, png, /no georeference/);
  });

  it('evaluate reports the building score against the polygon files', async () => {
    const out = tmp.fresh('eval-poly');
    expectOk(await runOn(polygonRecipe, 'evaluate', data, model, out));
    const metrics = readJson(path.join(out, 'metrics.json')) as {
      buildings: { tp: number; fp: number; fn: number; f1: number };
    };
    expect(metrics.buildings).toMatchObject({ tp: 8, fp: 0, fn: 0, f1: 1 });
  });
});
