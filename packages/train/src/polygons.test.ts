// The polygon functions of @unet/infer checked against @unet/data's independent rasterizer and
// the real SpaceNet tile; they live here because @unet/infer may not depend on @unet/data.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Polygon, parseGeoJsonPolygons, rasterizePolygons } from '@unet/data';
import {
  buildingScore,
  type GeoTransform,
  maskToPolygons,
  objectsToGeoJson,
  ringArea,
  traceLabels,
} from '@unet/infer';
import { describe, expect, it } from 'vitest';

/** Mask from rows of characters: '#' = 1, anything else 0. */
function grid(rows: string[]) {
  const width = rows[0]!.length;
  const height = rows.length;
  const data = new Float32Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '#' ? 1 : 0;
  });
  return { data, width, height };
}

/** Rasterises polygons with the independent GDAL-rule rasterizer of @unet/data. */
function raster(polygons: Polygon[], width: number, height: number): Float32Array {
  return rasterizePolygons(polygons, width, height).mask.data;
}

function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > 0 && b[i]! > 0) inter++;
    if (a[i]! > 0 || b[i]! > 0) union++;
  }
  return inter / union;
}

const SHAPES = grid([
  '..................................',
  '.##########.......#...............',
  '.##########......###......#.#.....',
  '.##......##.....#####......#......',
  '.##.###..##....#######....#.#.....',
  '.##.#.#..##...#########...........',
  '.##.###..##....#######.....####...',
  '.##......##.....#####......#..#...',
  '.##########......###.......#.##...',
  '.##########.......#........####...',
  '..........................#.......',
  '..###...####..............#.......',
  '..#.#...#..#..............#.......',
  '..##....####..............#.......',
  '..................................',
]);

describe('traceLabels / maskToPolygons', () => {
  it('traces outer rings and holes that rasterise back to exactly the same pixels', () => {
    const { data, width, height } = SHAPES;
    const objects = maskToPolygons(data, width, height);
    const polygons = objects.flatMap((o) => o.polygons);
    expect(Array.from(raster(polygons, width, height))).toEqual(Array.from(data));
    // Square with a hole, the ring inside the hole, the diamond with diagonal edges, 5 corner-
    // touching pixels (4-connectivity), the ring with an L-shaped hole, the line touching it at a
    // corner, the square whose notch is pinched to a point, the ring with a 2-pixel hole.
    expect(objects).toHaveLength(1 + 1 + 1 + 5 + 1 + 1 + 1 + 1);
    // The pinched notch is a hole touching the outer ring at one corner, not a self-touching ring.
    const pinched = objects.find((o) => o.polygons[0]!.rings[0]![0]![1] === 11 && o.area === 7)!;
    expect(pinched.polygons[0]!.rings.map((r) => ringArea(r))).toEqual([8, -1]);
    const square = objects[0]!;
    expect(square.area).toBe(10 * 9 - 6 * 5);
    expect(square.polygons).toHaveLength(1);
    expect(square.polygons[0]!.rings.map((r) => ringArea(r))).toEqual([90, -30]);
    expect(square.polygons[0]!.rings[0]).toEqual([
      [1, 1],
      [11, 1],
      [11, 10],
      [1, 10],
    ]);
    // Every ring is simple: no corner appears twice.
    for (const ring of polygons.flatMap((p) => p.rings)) {
      expect(new Set(ring.map(([x, y]) => `${x},${y}`)).size).toBe(ring.length);
    }
  });

  it('keeps the pixels of touching instances apart and an object in two parts as two polygons', () => {
    // Labels 1 and 2 touch along an edge; label 3 has two parts meeting at a corner only.
    const labels = Int32Array.from([1, 1, 2, 0, 3, 1, 1, 2, 0, 0, 0, 0, 0, 3, 0]);
    const objects = traceLabels(labels, 5, 3);
    expect(objects.map((o) => [o.label, o.area, o.polygons.length])).toEqual([
      [1, 4, 1],
      [2, 2, 1],
      [3, 2, 2],
    ]);
    for (const o of objects) {
      const own = Float32Array.from(labels, (l) => (l === o.label ? 1 : 0));
      expect(Array.from(raster(o.polygons, 5, 3))).toEqual(Array.from(own));
    }
  });

  it('simplifies with Douglas-Peucker: far fewer vertices, IoU >= 0.99 at half a pixel', () => {
    const width = 120;
    const height = 100;
    const data = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // A rotated rectangle (building-like) with a round courtyard.
        const u = (x - 60) * Math.cos(0.5) + (y - 50) * Math.sin(0.5);
        const v = -(x - 60) * Math.sin(0.5) + (y - 50) * Math.cos(0.5);
        const courtyard = (x - 62) ** 2 + (y - 50) ** 2 < 12 ** 2;
        if (Math.abs(u) < 45 && Math.abs(v) < 28 && !courtyard) data[y * width + x] = 1;
      }
    }
    const exact = maskToPolygons(data, width, height);
    const vertices = (o: typeof exact) =>
      o.flatMap((x) => x.polygons).reduce((n, p) => n + p.rings.flat().length, 0);
    const results = [0.5, 1, 2].map((tolerance) => {
      const simple = maskToPolygons(data, width, height, { tolerance });
      expect(simple[0]!.polygons[0]!.rings).toHaveLength(2); // the courtyard survives
      const back = raster(
        simple.flatMap((o) => o.polygons),
        width,
        height,
      );
      return { tolerance, vertices: vertices(simple), iou: iou(back, data) };
    });
    console.log(`exact: ${vertices(exact)} vertices; simplified: ${JSON.stringify(results)}`);
    expect(results[0]!.vertices).toBeLessThan(vertices(exact) / 4);
    expect(results[0]!.iou).toBeGreaterThanOrEqual(0.99);
    // More tolerance, fewer vertices, and the area error stays within the tolerance band.
    expect(results[2]!.vertices).toBeLessThan(results[0]!.vertices);
    expect(results[2]!.iou).toBeGreaterThanOrEqual(0.97);
    expect(() => maskToPolygons(data, width, height, { tolerance: -1 })).toThrow(/tolerance/);
  });
});

describe('objectsToGeoJson', () => {
  const objects = traceLabels(Int32Array.from([0, 1, 1, 0, 1, 1]), 3, 2);

  it('writes closed rings in pixel coordinates, outer rings with positive shoelace area', () => {
    const collection = objectsToGeoJson(objects);
    expect(collection.features).toHaveLength(1);
    const feature = collection.features[0]!;
    expect(feature.properties).toEqual({ label: 1, area: 4 });
    expect(feature.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [1, 0],
          [3, 0],
          [3, 2],
          [1, 2],
          [1, 0],
        ],
      ],
    });
  });

  it('maps through the geotransform and keeps outer rings counterclockwise on the map', () => {
    const t: GeoTransform = [1000, 0.5, 0, 2000, 0, -0.5];
    const ring = (
      objectsToGeoJson(objects, { coordinates: 'map', geoTransform: t }).features[0]!.geometry
        .coordinates as number[][][]
    )[0]!;
    // Pixel corners (1,0) (3,0) (3,2) (1,2), mapped and turned counterclockwise on the map.
    expect(ring).toEqual([
      [1000.5, 1999],
      [1001.5, 1999],
      [1001.5, 2000],
      [1000.5, 2000],
      [1000.5, 1999],
    ]);
    expect(ringArea(ring.slice(0, -1) as [number, number][])).toBeGreaterThan(0);
  });

  it('refuses map coordinates without a georeference, or with a bad one', () => {
    expect(() => objectsToGeoJson(objects, { coordinates: 'map' })).toThrow(
      /map coordinates need a georeference: pass geoTransform/,
    );
    expect(() =>
      objectsToGeoJson(objects, { coordinates: 'map', geoTransform: [0, 0, 0, 0, 0, 0] }),
    ).toThrow(/singular/);
  });
});

const spacenet = path.resolve(import.meta.dirname, '../../../../shared/data/spacenet-atlanta');
const haveSpacenet = existsSync(spacenet);
if (!haveSpacenet) console.warn(`skipping the SpaceNet tests: ${spacenet} is absent`);

/** The GeoTIFF's georeference from its ModelPixelScale and ModelTiepoint tags (little-endian). */
function readGeoTransform(file: string): GeoTransform {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 0, 2) !== 'II') throw new Error('expected a little-endian TIFF');
  const ifd = bytes.readUInt32LE(4);
  const doubles = new Map<number, number[]>();
  for (let i = 0; i < bytes.readUInt16LE(ifd); i++) {
    const entry = ifd + 2 + 12 * i;
    const [tag, type, count] = [
      bytes.readUInt16LE(entry),
      bytes.readUInt16LE(entry + 2),
      bytes.readUInt32LE(entry + 4),
    ];
    if (type !== 12) continue;
    const at = bytes.readUInt32LE(entry + 8);
    doubles.set(
      tag,
      Array.from({ length: count }, (_, k) => bytes.readDoubleLE(at + 8 * k)),
    );
  }
  const [sx, sy] = doubles.get(33550)!;
  const [i, j, , x, y] = doubles.get(33922)!;
  return [x! - i! * sx!, sx!, 0, y! + j! * sy!, 0, -sy!];
}

describe.runIf(haveSpacenet)('SpaceNet Atlanta tile: true footprints -> pixels -> polygons', () => {
  const read = (name: string) =>
    parseGeoJsonPolygons(JSON.parse(readFileSync(path.join(spacenet, name), 'utf8'))).polygons;

  it('re-polygonised footprints match the true ones one to one (F1 = 1), in pixels and on the map', () => {
    const truth = read('gj_to_px_result.geojson');
    expect(truth).toHaveLength(43);
    const width = 900;
    const height = 900;
    // Each footprint its own label, so touching buildings stay apart.
    const labels = new Int32Array(width * height);
    truth.forEach((polygon, k) => {
      raster([polygon], width, height).forEach((v, i) => {
        if (v > 0) labels[i] = k + 1;
      });
    });
    const objects = traceLabels(labels, width, height);
    // One footprint per object: a footprint cut in two by a neighbour painted over it is one
    // two-part prediction (a MultiPolygon), as it would be in SpaceNet.
    const predicted = objects.map((o) => o.polygons);
    const inPixels = buildingScore(predicted, truth);
    console.log(
      `pixels: ${predicted.length} traced vs ${truth.length} true, F1 ${inPixels.f1}, IoU min ${Math.min(...inPixels.matches.map((m) => m.iou)).toFixed(3)}`,
    );
    expect(inPixels).toMatchObject({ tp: 43, fp: 0, fn: 0, f1: 1 });
    // Simplified by a pixel the footprints still all match.
    const simple = traceLabels(labels, width, height, { tolerance: 1 });
    const simplified = buildingScore(
      simple.map((o) => o.polygons),
      truth,
    );
    console.log(
      `simplified (1 px): ${simple.reduce((n, o) => n + o.polygons.flatMap((p) => p.rings).flat().length, 0)} vertices (exact: ${objects.reduce((n, o) => n + o.polygons.flatMap((p) => p.rings).flat().length, 0)}), F1 ${simplified.f1}, IoU min ${Math.min(...simplified.matches.map((m) => m.iou)).toFixed(3)}`,
    );
    expect(simplified.f1).toBe(1);

    const geoTransform = readGeoTransform(path.join(spacenet, 'sample_geotiff.tif'));
    expect(geoTransform).toEqual([733601, 0.5, 0, 3725139, 0, -0.5]);
    const onMap = objectsToGeoJson(objects, { coordinates: 'map', geoTransform }).features.map(
      (f) =>
        (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).map(
          (rings) => ({ rings: rings.map((r) => r.map(([x, y]) => [x!, y!] as const)) }),
        ),
    );
    const mapTruth = read('geotiff_labels.geojson');
    const inMap = buildingScore(onMap, mapTruth);
    console.log(
      `map: F1 ${inMap.f1}, IoU min ${Math.min(...inMap.matches.map((m) => m.iou)).toFixed(3)}`,
    );
    expect(inMap).toMatchObject({ tp: 43, fp: 0, fn: 0, f1: 1 });
  });
});
