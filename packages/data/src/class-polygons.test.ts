import {
  type ClassList,
  parseGeoJsonPolygons,
  rasterizeClassPolygons,
  rasterizePolygons,
} from '@unet/data';
import { describe, expect, it } from 'vitest';

const CLASSES: ClassList = {
  classes: [{ name: 'background' }, { name: 'road' }, { name: 'building' }],
  ignoreIndex: 255,
};

const square = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

const feature = (
  properties: Record<string, unknown> | null,
  type: string,
  coordinates: unknown,
) => ({
  type: 'Feature',
  properties,
  geometry: { type, coordinates },
});

/** A 10x6 image: a road across rows 4..5, a building at columns 1..3 with a 1-pixel hole,
 *  a building (by index) overlapping the road, and a MultiPolygon of two small roads. */
const GEOJSON = {
  type: 'FeatureCollection',
  features: [
    feature({ class: 'road' }, 'Polygon', [square(0, 4, 10, 6)]),
    feature({ class: 'building' }, 'Polygon', [square(1, 0, 4, 3), square(2, 1, 3, 2)]),
    feature({ class: 2 }, 'Polygon', [square(6, 3, 8, 5)]),
    feature({ class: 'road' }, 'MultiPolygon', [[square(8, 0, 9, 1)], [square(9, 0, 10, 1)]]),
  ],
};

function render(data: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < data.length / width; y++) {
    rows.push(Array.from(data.slice(y * width, (y + 1) * width), (v) => String(v)).join(''));
  }
  return rows;
}

describe('rasterizeClassPolygons', () => {
  it('draws each polygon in its class, later polygons over earlier ones, holes kept', () => {
    const { polygons } = parseGeoJsonPolygons(GEOJSON);
    expect(polygons.map((p) => p.properties?.class)).toEqual([
      'road',
      'building',
      2,
      'road',
      'road',
    ]);
    const { mask, report } = rasterizeClassPolygons(polygons, 10, 6, {
      property: 'class',
      classes: CLASSES,
    });
    expect(render(mask.data, 10)).toEqual([
      '0222000011',
      '0202000000',
      '0222000000',
      '0000002200',
      '1111112211',
      '1111111111',
    ]);
    expect(report).toMatchObject({ polygons: 5, filled: 5, clipped: 0, issues: [] });
  });

  it('covers exactly the pixels the binary rasterizer sets (binary = the one-class case)', () => {
    const { polygons } = parseGeoJsonPolygons(GEOJSON);
    const binary = rasterizePolygons(polygons, 10, 6).mask.data;
    const { mask } = rasterizeClassPolygons(polygons, 10, 6, {
      property: 'class',
      classes: CLASSES,
    });
    // The hole of the building is background in both; every covered pixel has a class > 0 here.
    expect(Array.from(mask.data, (v) => (v > 0 ? 1 : 0))).toEqual(Array.from(binary));
  });

  it('uses the background option (e.g. the ignore index for unlabelled areas)', () => {
    const { polygons } = parseGeoJsonPolygons(GEOJSON);
    const { mask } = rasterizeClassPolygons(polygons, 10, 6, {
      property: 'class',
      classes: CLASSES,
      background: 255,
    });
    expect(mask.data[0]).toBe(255);
    expect(() =>
      rasterizeClassPolygons(polygons, 10, 6, {
        property: 'class',
        classes: CLASSES,
        background: 7,
      }),
    ).toThrow(/background must be a class index 0\.\.2 or the ignore index, got 7/);
  });

  it('fails naming the polygon whose class is unknown or missing', () => {
    const typo = parseGeoJsonPolygons({
      type: 'FeatureCollection',
      features: [
        feature({ class: 'road' }, 'Polygon', [square(0, 0, 2, 2)]),
        feature({ class: 'buildng' }, 'Polygon', [square(0, 0, 2, 2)]),
      ],
    }).polygons;
    expect(() =>
      rasterizeClassPolygons(typo, 4, 4, { property: 'class', classes: CLASSES }),
    ).toThrow(
      'polygon 1 has class "buildng", which is not a class; expected one of the class names (background, road, building) or an index 0..2',
    );
    const missing = parseGeoJsonPolygons(feature(null, 'Polygon', [square(0, 0, 2, 2)])).polygons;
    expect(() =>
      rasterizeClassPolygons(missing, 4, 4, { property: 'class', classes: CLASSES }),
    ).toThrow(/polygon 0 has no "class" property/);
    const outOfRange = parseGeoJsonPolygons(
      feature({ class: 3 }, 'Polygon', [square(0, 0, 2, 2)]),
    ).polygons;
    expect(() =>
      rasterizeClassPolygons(outOfRange, 4, 4, { property: 'class', classes: CLASSES }),
    ).toThrow(/has class 3, which is not a class/);
  });
});
