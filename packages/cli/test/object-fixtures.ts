/**
 * Fixtures of the object-output tests (object-outputs.test.ts, polygon-outputs.test.ts): recipe
 * variants of the fake recipe, an in-process runner that captures stderr, a fixed 1x1-convolution
 * model (sigmoid(20 red - 10): masks are exactly the drawn shapes) and polygon files per image.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CliResult } from '@unet/cli-test-support';
import { decodeImage, decodeSatelliteImage, listSatellite, readImageHeader } from '@unet/data';
import { vi } from 'vitest';
import type { SegmentationRecipe } from '../src/recipe.js';
import { runSegmentationCli } from '../src/run-cli.js';
import { FAKE_IDS, FAKE_SIZES, fakeRecipe, writeFakeData } from './fake-recipe.js';

export const spacenetTif = path.resolve(
  __dirname,
  '../../../../shared/data/spacenet-atlanta/sample_geotiff.tif',
);

export const instanceRecipe: SegmentationRecipe = { ...fakeRecipe, instances: true };
export const polygonRecipe: SegmentationRecipe = {
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

export async function run(recipe: SegmentationRecipe, ...argv: string[]): Promise<CliResult> {
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

/** `COMMAND --data|--input SOURCE --model MODEL --out OUT ...rest` of `recipe`, in process. */
export function runOn(
  recipe: SegmentationRecipe,
  command: 'evaluate' | 'predict',
  source: string,
  model: string,
  out: string,
  ...rest: string[]
): Promise<CliResult> {
  const from = command === 'predict' ? '--input' : '--data';
  return run(recipe, command, from, source, '--model', model, '--out', out, ...rest);
}

/** Saves the fixed 1x1-convolution model (free spatial size) as model.json + weights.bin. */
export async function saveFixedModel(dir: string) {
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
export function writePolygons(dir: string) {
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
export async function readPng16(file: string) {
  const header = await readImageHeader(file);
  const image = await decodeImage(file, { channels: 1 });
  return { values: Array.from(image.data, (v) => Math.round(v * 65535)), header };
}

/** The fake data with polygon files and the fixed model, under `dir`. */
export async function writeObjectFixtures(dir: string): Promise<{ data: string; model: string }> {
  const data = await writeFakeData(path.join(dir, 'data'));
  writePolygons(data);
  const model = path.join(dir, 'model');
  await saveFixedModel(model);
  return { data, model };
}
