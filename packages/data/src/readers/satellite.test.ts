import { readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DataFileError,
  decodeImage,
  normalizePercentiles,
  rasterizePolygons,
  readPolygonFile,
  readSatellite,
} from '@unet/data';
import { describe, expect, it } from 'vitest';
import {
  hasSharedData,
  iou,
  isZeroOne,
  referenceDir,
  sharedData,
  sum,
  useTempDir,
  write16BitGrey,
  writePng,
  writeText,
} from '../test-support.js';

interface SpacenetReference {
  tile: { width: number; height: number; percentile2: number; percentile98: number };
  polygons: number;
  pixelGeojsonMask: { foregroundPixels: number; runLengths: number[] };
  sampleFpMask: { iouWithPixelGeojson: number; note: string };
}

const spacenet = path.join(sharedData, 'spacenet-atlanta');
const haveSpacenet = hasSharedData('spacenet-atlanta');

function fromRunLengths(runs: number[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  let value = 0;
  for (const run of runs) {
    out.fill(value, at, at + run);
    at += run;
    value ^= 1;
  }
  return out;
}

const tmp = useTempDir('satellite-');

describe.runIf(haveSpacenet)('readSatellite on the SpaceNet Atlanta tile', () => {
  const reference = JSON.parse(
    readFileSync(path.join(referenceDir, 'spacenet.json'), 'utf8'),
  ) as SpacenetReference;
  const pair = {
    image: path.join(spacenet, 'sample_geotiff.tif'),
    polygons: path.join(spacenet, 'gj_to_px_result.geojson'),
  };

  it('rasterizes gj_to_px_result.geojson like an independent rasterizer (IoU >= 0.98)', async () => {
    const warnings: string[] = [];
    const { samples } = await readSatellite(
      { pairs: [pair] },
      { cache: false, progress: false, onWarning: (m) => warnings.push(m) },
    );
    const [sample] = samples;
    expect(sample!.originalSize).toEqual({ width: 900, height: 900 });
    expect(sample!.image.channels).toBe(1);
    const expected = fromRunLengths(reference.pixelGeojsonMask.runLengths, 900 * 900);
    const score = iou(sample!.mask!.data, expected);
    console.info(
      `[satellite] IoU vs scikit-image rasterization of gj_to_px_result: ${score.toFixed(4)}`,
    );
    expect(score).toBeGreaterThanOrEqual(0.98);
    expect(warnings).toEqual([]);
  });

  // sample_fp_mask.tif is solaris' footprint mask of sample.csv, another label set than
  // gj_to_px_result.geojson: where the scikit-image reference says so (IoU < 0.5), ours must agree
  // with it; a mask made from these polygons must match them.
  it('against sample_fp_mask.tif: the IoU scikit-image measures (>= 0.98 when made from these polygons)', async () => {
    const { samples } = await readSatellite({ pairs: [pair] }, { cache: false, progress: false });
    const fpMask = await decodeImage(path.join(spacenet, 'sample_fp_mask.tif'));
    const score = iou(samples[0]!.mask!.data, fpMask.data);
    const expected = reference.sampleFpMask.iouWithPixelGeojson;
    console.info(
      `[satellite] IoU vs sample_fp_mask.tif ${score.toFixed(3)}, scikit-image ${expected.toFixed(3)}: ${reference.sampleFpMask.note}`,
    );
    if (expected < 0.5) expect(Math.abs(score - expected)).toBeLessThan(0.01);
    else expect(score).toBeGreaterThanOrEqual(0.98);
  });

  it('gives the same mask from the COCO file and from map-coordinate GeoJSON converted to pixels', async () => {
    const expected = fromRunLengths(reference.pixelGeojsonMask.runLengths, 900 * 900);
    const coco = await readSatellite(
      { imagesDir: spacenet, cocoFile: path.join(spacenet, 'coco_sample_2.json') },
      { cache: false, progress: false },
    );
    expect(coco.samples.map((s) => s.id)).toEqual(['sample_geotiff']);
    // COCO keeps sub-pixel vertices while the pixel GeoJSON was rounded: the reference script
    // measured 0.97 between the two polygon sets with scikit-image as well.
    expect(iou(coco.samples[0]!.mask!.data, expected)).toBeGreaterThan(0.96);
  });

  it('stretches the 16-bit tile between its 2nd and 98th percentiles', async () => {
    const raw = await decodeImage(pair.image);
    const stretched = normalizePercentiles(raw);
    const { percentile2, percentile98 } = reference.tile;
    // A raw value v maps to (v - p2) / (p98 - p2).
    for (const i of [0, 1234, 400_000]) {
      const value = Math.round(raw.data[i]! * 65535);
      const want = Math.min(1, Math.max(0, (value - percentile2) / (percentile98 - percentile2)));
      expect(stretched.data[i]).toBeCloseTo(want, 5);
    }
    const { samples } = await readSatellite(
      { pairs: [pair] },
      { cache: false, progress: false, size: 256 },
    );
    const image = samples[0]!.image;
    expect([image.width, image.height]).toEqual([256, 256]);
    const mean = sum(image.data) / image.data.length;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.8);
    expect(isZeroOne(samples[0]!.mask!.data)).toBe(true);
  });
});

describe('polygon formats and rasterizer', () => {
  it('reads the article text format: rings close by repeating their first point', async () => {
    const file = path.join(tmp(), 'tile.txt');
    await writeText(
      file,
      '[[441, 562], [441, 529], [458, 529], [458, 520], [472, 520], [472, 528], [475, 528], ' +
        '[475, 561], [441, 562], [545, 541], [545, 520], [573, 520], [573, 541], [545, 541], [545, 541]]',
    );
    const parsed = await readPolygonFile(file);
    expect(parsed.polygons).toHaveLength(2);
    expect(parsed.polygons[0]!.rings[0]).toHaveLength(9);
    // The trailing repeated point starts a ring that never closes: reported, not drawn.
    expect(parsed.issues).toEqual([
      expect.objectContaining({ polygon: 2, problem: 'unclosed-ring' }),
    ]);
    const { mask, report } = rasterizePolygons(parsed.polygons, 600, 600);
    expect(report.filled).toBe(2);
    expect(report.issues).toEqual([]);
    // An axis-aligned 28x21 rectangle on integer corners covers exactly 588 pixel centres; the
    // first footprint covers about its area (shoelace formula).
    const ring = parsed.polygons[0]!.rings[0]!;
    let twiceArea = 0;
    for (let i = 0; i + 1 < ring.length; i++) {
      twiceArea += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
    }
    expect(Math.abs(sum(mask.data) - 588 - Math.abs(twiceArea) / 2)).toBeLessThan(20);
  });

  it('reports a ring that never closes', async () => {
    const file = path.join(tmp(), 'open.txt');
    await writeText(file, '[[0, 0], [4, 0], [4, 4], [0, 0], [10, 10], [20, 10], [20, 20]]');
    const parsed = await readPolygonFile(file);
    expect(parsed.issues).toEqual([expect.objectContaining({ problem: 'unclosed-ring' })]);
    expect(parsed.polygons).toHaveLength(2);
  });

  it('respects GeoJSON holes and multipolygons, clips at the border, reports degenerate ones', () => {
    const square = (x0: number, y0: number, s: number) => [
      [x0, y0],
      [x0 + s, y0],
      [x0 + s, y0 + s],
      [x0, y0 + s],
      [x0, y0],
    ];
    const { mask, report } = rasterizePolygons(
      [
        { rings: [square(0, 0, 10), square(2, 2, 4)] as never },
        { rings: [square(15, 15, 10)] as never }, // half outside a 20x20 image
        { rings: [square(30, 30, 5)] as never }, // fully outside
        {
          rings: [
            [
              [1, 1],
              [5, 5],
              [9, 9],
              [1, 1],
            ],
          ] as never,
        }, // collinear
        {
          rings: [
            [
              [Number.NaN, 1],
              [5, 5],
              [9, 1],
            ],
          ] as never,
        },
      ],
      20,
      20,
    );
    expect(sum(mask.data)).toBe(100 - 16 + 25);
    expect(mask.data[3 * 20 + 3]).toBe(0); // inside the hole
    expect(report.clipped).toBe(2);
    expect(report.issues.map((i) => i.problem)).toEqual([
      'outside-image',
      'zero-area',
      'non-finite',
    ]);
  });

  it('parses MultiPolygon GeoJSON and reports non-polygon geometries', async () => {
    const file = path.join(tmp(), 'multi.geojson');
    await writeText(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: {
              type: 'MultiPolygon',
              coordinates: [
                [
                  [
                    [0, 0],
                    [2, 0],
                    [2, 2],
                    [0, 2],
                    [0, 0],
                  ],
                ],
                [
                  [
                    [4, 4],
                    [6, 4],
                    [6, 6],
                    [4, 6],
                    [4, 4],
                  ],
                ],
              ],
            },
          },
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] } },
          { type: 'Feature', geometry: null },
        ],
      }),
    );
    const parsed = await readPolygonFile(file);
    expect(parsed.polygons).toHaveLength(2);
    expect(parsed.issues.map((i) => i.problem)).toEqual(['not-a-polygon']);
    expect(sum(rasterizePolygons(parsed.polygons, 8, 8).mask.data)).toBe(8);
  });

  it.each([
    ['missing.geojson', null, 'cannot read polygon file'],
    ['broken.geojson', '{"type": "FeatureCollection", "features": [', 'cannot parse polygons'],
    ['wrong.geojson', '{"type": "Polygon", "coordinates": 5}', 'cannot parse polygons'],
    ['words.txt', 'hello world', 'cannot parse polygons'],
  ])('names an unreadable polygon file (%s)', async (name, content, message) => {
    const file = path.join(tmp(), name);
    if (content !== null) await writeFile(file, content);
    const error = await readPolygonFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).problem).toBe('bad-polygons');
    expect((error as DataFileError).message).toContain(`${file}: ${message}`);
  });
});

describe('readSatellite on generated tiles', () => {
  it('matches images to polygon files by name, 8-bit RGB and 16-bit tiles, with warnings', async () => {
    const root = path.join(tmp(), 'tiles');
    await writePng(
      path.join(root, 'images', 'rgb.png'),
      32,
      32,
      3,
      (x, _y, c) => (x * 8 + c) % 256,
    );
    await write16BitGrey(path.join(root, 'images', 'deep.png'), 32, 32, (x) => 300 + x * 20);
    await writeText(
      path.join(root, 'labels', 'rgb.txt'),
      '[[4, 4], [12, 4], [12, 12], [4, 12], [4, 4]]',
    );
    await writeText(
      path.join(root, 'labels', 'deep.geojson'),
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [-10, -10],
            [8, -10],
            [8, 8],
            [-10, 8],
            [-10, -10],
          ],
        ],
      }),
    );
    const warnings: string[] = [];
    const { samples } = await readSatellite(
      { imagesDir: path.join(root, 'images'), polygonsDir: path.join(root, 'labels') },
      { cache: false, progress: false, onWarning: (m) => warnings.push(m) },
    );
    const byId = Object.fromEntries(samples.map((s) => [s.id, s]));
    expect(byId.rgb!.image.channels).toBe(3);
    expect(sum(byId.rgb!.mask!.data)).toBe(64);
    expect(sum(byId.deep!.mask!.data)).toBe(64); // clipped to the image
    const deep = byId.deep!.image.data;
    expect(Math.min(...deep)).toBe(0);
    expect(Math.max(...deep)).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('names the image whose polygon file is missing, and the unreadable polygon file', async () => {
    const root = path.join(tmp(), 'tiles-bad');
    await writePng(path.join(root, 'images', 'a.png'), 8, 8, 3, () => 1);
    await writeText(path.join(root, 'labels', 'b.geojson'), '{}');
    const source = { imagesDir: path.join(root, 'images'), polygonsDir: path.join(root, 'labels') };
    await expect(readSatellite(source, { cache: false })).rejects.toThrow(
      `${path.join(root, 'images', 'a.png')}: no polygon file for this image`,
    );
    await copyFile(path.join(root, 'labels', 'b.geojson'), path.join(root, 'labels', 'a.geojson'));
    await expect(readSatellite(source, { cache: false })).rejects.toThrow(
      `${path.join(root, 'labels', 'a.geojson')}: cannot parse polygons: root has no GeoJSON "type"`,
    );
  });

  it('warns about degenerate polygons and hints at map coordinates', async () => {
    const root = path.join(tmp(), 'tiles-map');
    await writePng(path.join(root, 'images', 'a.png'), 8, 8, 3, () => 1);
    await writeText(
      path.join(root, 'labels', 'a.geojson'),
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [733601, 3725139],
            [733611, 3725139],
            [733611, 3725129],
            [733601, 3725139],
          ],
        ],
      }),
    );
    const warnings: string[] = [];
    const { samples } = await readSatellite(
      { imagesDir: path.join(root, 'images'), polygonsDir: path.join(root, 'labels') },
      { cache: false, progress: false, onWarning: (m) => warnings.push(m) },
    );
    expect(sum(samples[0]!.mask!.data)).toBe(0);
    expect(warnings.join()).toMatch(/outside-image.*map coordinates instead of pixels/);
  });
});
