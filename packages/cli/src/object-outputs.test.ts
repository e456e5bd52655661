/**
 * Object outputs of `predict` / `evaluate` on variants of the fake recipe: `--tta` recorded,
 * the instance split (`map_split`, `--tune-postprocess`, `predict --instances` as 16-bit PNGs)
 * and polygons (GeoJSON that rasterises back to the mask, map coordinates, the building score).
 * The model is a fixed 1x1 convolution (sigmoid(20 red - 10)), so masks are exactly the shapes.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type CliResult, expectOk, readJson } from '@unet/cli-test-support';
import {
  decodeImage,
  decodeSatelliteImage,
  encodePng,
  listSatellite,
  parseGeoJsonPolygons,
  rasterizePolygons,
  readImageHeader,
} from '@unet/data';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAKE_IDS, FAKE_SIZES, fakeRecipe, writeFakeData } from '../test/fake-recipe.js';
import { expectFakeError, tempDir } from '../test/run-in-process.js';
import type { SegmentationRecipe } from './recipe.js';
import { runSegmentationCli } from './run-cli.js';

const tmp = tempDir('objects');
let data: string;
let model: string;
const spacenetTif = path.resolve(
  __dirname,
  '../../../../shared/data/spacenet-atlanta/sample_geotiff.tif',
);

const instanceRecipe: SegmentationRecipe = { ...fakeRecipe, instances: true };
const polygonRecipe: SegmentationRecipe = {
  ...fakeRecipe,
  polygons: true,
  // As the satellite app: 16-bit scenes stretched between their percentiles.
  readImage: (file, channels) => decodeSatelliteImage(file, { channels }),
  list: (dir, options) =>
    listSatellite(
      { imagesDir: path.join(dir, 'images'), polygonsDir: path.join(dir, 'polygons') },
      options,
    ),
};

async function run(recipe: SegmentationRecipe, ...argv: string[]): Promise<CliResult> {
  delete process.env.UNET_DEBUG;
  let stderr = '';
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runSegmentationCli(recipe, argv, {
      log: (line) => {
        stderr += `${line}\n`;
      },
      print: () => {},
    });
    return { code, stdout: '', stderr };
  } finally {
    write.mockRestore();
  }
}

/** Saves the fixed 1x1-convolution model (free spatial size) as model.json + weights.bin. */
async function saveFixedModel(dir: string) {
  const net = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [null, null, 3],
        filters: 1,
        kernelSize: 1,
        activation: 'sigmoid',
        weights: [tf.tensor4d([20, 0, 0], [1, 1, 3, 1]), tf.tensor1d([-10])],
      }),
    ],
  });
  fs.mkdirSync(dir, { recursive: true });
  await net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(
        path.join(dir, 'weights.bin'),
        Buffer.from(artifacts.weightData as ArrayBuffer),
      );
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  net.dispose();
}

/** A GeoJSON polygon file (pixel coordinates) per fake image: its shape (discs as 64-gons). */
function writePolygons(dir: string) {
  fs.mkdirSync(path.join(dir, 'polygons'), { recursive: true });
  for (const [i, [width, height]] of FAKE_SIZES.entries()) {
    const cx = width * (0.35 + 0.04 * i) + 0.5;
    const cy = height * (0.6 - 0.03 * i) + 0.5;
    const r = Math.min(width, height) * 0.25;
    const ring: number[][] =
      i % 2 === 0
        ? Array.from({ length: 64 }, (_, k) => [
            cx + r * Math.cos((k * Math.PI) / 32),
            cy + r * Math.sin((k * Math.PI) / 32),
          ])
        : [
            [cx - r, cy - r],
            [cx + r, cy - r],
            [cx + r, cy + r],
            [cx - r, cy + r],
          ];
    ring.push(ring[0]!);
    const geojson = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } },
      ],
    };
    fs.writeFileSync(path.join(dir, 'polygons', `${FAKE_IDS[i]}.geojson`), JSON.stringify(geojson));
  }
}

/** Reads a 16-bit grey PNG's values (decodeImage divides them by 65535). */
async function readPng16(file: string) {
  const header = await readImageHeader(file);
  const image = await decodeImage(file, { channels: 1 });
  return { values: Array.from(image.data, (v) => Math.round(v * 65535)), header };
}

beforeAll(async () => {
  data = await writeFakeData(path.join(tmp.dir, 'data'));
  writePolygons(data);
  model = path.join(tmp.dir, 'model');
  await saveFixedModel(model);
});
afterAll(tmp.remove);

describe('--tta', () => {
  it('evaluate records it in metrics.json; the fixed model scores the same with and without', async () => {
    const scores: Record<string, number> = {};
    for (const tta of ['off', 'flips', 'd4']) {
      const out = tmp.fresh(`tta-${tta}`);
      const r = await run(
        fakeRecipe,
        'evaluate',
        '--data',
        data,
        '--model',
        model,
        '--out',
        out,
        '--tta',
        tta,
      );
      expectOk(r);
      const metrics = readJson(path.join(out, 'metrics.json')) as { tta: string; dice: number };
      expect(metrics.tta).toBe(tta);
      scores[tta] = metrics.dice;
    }
    // A 1x1 convolution commutes with flips and rotations: TTA changes nothing.
    expect(scores.flips).toBeCloseTo(scores.off!, 6);
    expect(scores.d4).toBeCloseTo(scores.off!, 6);
  });

  it('an unknown --tta value is a usage error', async () => {
    const r = await run(
      fakeRecipe,
      'predict',
      '--input',
      data,
      '--model',
      model,
      '--out',
      tmp.fresh(),
      '--tta',
      'rot',
    );
    expectFakeError(r, 2, /--tta/);
  });
});

describe('instance recipes', () => {
  it('evaluate writes map and map_split; --tune-postprocess saves postprocess.json', async () => {
    const out = tmp.fresh('eval-inst');
    expectOk(await run(instanceRecipe, 'evaluate', '--data', data, '--model', model, '--out', out));
    const metrics = readJson(path.join(out, 'metrics.json')) as Record<string, unknown>;
    expect(metrics.map).toBeCloseTo(1, 6); // one object per image, found exactly
    expect(metrics.map_split).toBeCloseTo(1, 6);
    expect(metrics.split).toMatchObject({ h: 1, minArea: 10, source: 'defaults' });

    const tuneModel = path.join(tmp.dir, 'model-tuned');
    fs.cpSync(model, tuneModel, { recursive: true });
    const tuned = tmp.fresh('eval-tune');
    expectOk(
      await run(
        instanceRecipe,
        'evaluate',
        '--data',
        data,
        '--model',
        tuneModel,
        '--out',
        tuned,
        '--tune-postprocess',
      ),
    );
    const saved = readJson(path.join(tuneModel, 'postprocess.json')) as {
      instances: { h: number; minArea: number };
      grid: unknown[];
    };
    expect(saved.grid).toHaveLength(12);
    expect(saved.instances).toEqual({ h: 0.5, minArea: 0 }); // all tie at 1: the first setting
    const again = tmp.fresh('eval-after-tune');
    expectOk(
      await run(instanceRecipe, 'evaluate', '--data', data, '--model', tuneModel, '--out', again),
    );
    const after = readJson(path.join(again, 'metrics.json')) as { split: { source: string } };
    expect(after.split.source).toBe(path.join(tuneModel, 'postprocess.json'));
  });

  it('--tune-postprocess on a recipe without instances is a usage error', async () => {
    const r = await run(
      fakeRecipe,
      'evaluate',
      '--data',
      data,
      '--model',
      model,
      '--out',
      tmp.fresh(),
      '--tune-postprocess',
    );
    expectFakeError(r, 2, /--tune-postprocess/, /instance/);
  });

  it('predict --instances writes a 16-bit label PNG beside the mask, objects numbered in raster order', async () => {
    const input = path.join(tmp.dir, 'two-objects');
    const [width, height] = [48, 32];
    const image = new Float32Array(width * height * 3).fill(0.1);
    const inA = (x: number, y: number) => x >= 4 && x < 14 && y >= 6 && y < 16;
    const inB = (x: number, y: number) => (x - 32) ** 2 + (y - 20) ** 2 < 49;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) if (inA(x, y) || inB(x, y)) image[(y * width + x) * 3] = 0.9;
    await encodePng(path.join(input, 'pair.png'), { data: image, width, height, channels: 3 });
    const out = tmp.fresh('pred-inst');
    expectOk(
      await run(
        instanceRecipe,
        'predict',
        '--input',
        input,
        '--model',
        model,
        '--out',
        out,
        '--instances',
      ),
    );
    expect(fs.existsSync(path.join(out, 'masks', 'pair.png'))).toBe(true);
    const { values, header } = await readPng16(path.join(out, 'instances', 'pair.png'));
    expect(header.bitDepth).toBe(16);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        expect(values[y * width + x]).toBe(inA(x, y) ? 1 : inB(x, y) ? 2 : 0);
  });

  it('predict --instances with a recipe without instances is a usage error', async () => {
    const r = await run(
      fakeRecipe,
      'predict',
      '--input',
      data,
      '--model',
      model,
      '--out',
      tmp.fresh(),
      '--instances',
    );
    expectFakeError(r, 2, /--instances/);
  });

  it('predict --instances with more objects than 16 bits hold fails naming the image', async () => {
    const input = path.join(tmp.dir, 'many');
    const size = 520; // isolated pixels every other row and column: 260 x 260 = 67600 objects
    const image = new Float32Array(size * size * 3).fill(0.1);
    for (let y = 0; y < size; y += 2)
      for (let x = 0; x < size; x += 2) image[(y * size + x) * 3] = 0.9;
    await encodePng(path.join(input, 'dots.png'), {
      data: image,
      width: size,
      height: size,
      channels: 3,
    });
    const dotsModel = path.join(tmp.dir, 'model-dots');
    fs.cpSync(model, dotsModel, { recursive: true });
    fs.writeFileSync(
      path.join(dotsModel, 'postprocess.json'),
      JSON.stringify({ instances: { h: 1, minArea: 0 } }),
    );
    const r = await run(
      instanceRecipe,
      'predict',
      '--input',
      input,
      '--model',
      dotsModel,
      '--out',
      tmp.fresh(),
      '--instances',
    );
    expectFakeError(r, 1, 'dots.png', /do not fit in a 16-bit label image/);
  });
});

describe('polygon recipes', () => {
  it('predict writes GeoJSON in pixel coordinates that rasterises back to the mask', async () => {
    const out = tmp.fresh('pred-poly');
    const images = path.join(data, 'images');
    expectOk(
      await run(
        polygonRecipe,
        'predict',
        '--input',
        images,
        '--model',
        model,
        '--out',
        out,
        '--simplify',
        '0',
      ),
    );
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
      await run(
        polygonRecipe,
        'predict',
        '--input',
        spacenetTif,
        '--model',
        model,
        '--out',
        out,
        '--coordinates',
        'map',
      ),
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
    const r = await run(
      polygonRecipe,
      'predict',
      '--input',
      png,
      '--model',
      model,
      '--out',
      tmp.fresh(),
      '--coordinates',
      'map',
    );
    expectFakeError(r, 2, png, /no georeference/);
  });

  it('evaluate reports the building score against the polygon files', async () => {
    const out = tmp.fresh('eval-poly');
    expectOk(await run(polygonRecipe, 'evaluate', '--data', data, '--model', model, '--out', out));
    const metrics = readJson(path.join(out, 'metrics.json')) as {
      buildings: { tp: number; fp: number; fn: number; f1: number };
    };
    expect(metrics.buildings).toMatchObject({ tp: 8, fp: 0, fn: 0, f1: 1 });
  });
});
