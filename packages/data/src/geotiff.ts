/**
 * The georeference of a GeoTIFF, read straight from the first IFD of the file (sharp's metadata
 * does not expose the GeoTIFF tags): ModelPixelScale (33550) + ModelTiepoint (33922), or
 * ModelTransformation (34264), and from the GeoKeyDirectory (34735) the raster type
 * (PixelIsArea / PixelIsPoint) and the EPSG code of the projected or geographic CRS.
 * Classic TIFF only (BigTIFF and non-TIFF files have no georeference here: `null`).
 */
import { open } from 'node:fs/promises';
import type { GeoTransform } from '@unet/infer';
import { wrapFileError } from './errors.js';

/** Where a GeoTIFF's pixels are on the map. */
export interface GeoReference {
  /** GDAL order: pixel (col, row) corner -> map, see `GeoTransform` in @unet/infer. */
  geoTransform: GeoTransform;
  /** e.g. `'urn:ogc:def:crs:EPSG::32616'` when the GeoKeys name an EPSG code. */
  crs?: string;
}

const TAG = {
  pixelScale: 33550,
  tiepoint: 33922,
  transformation: 34264,
  geoKeys: 34735,
} as const;
const KEY = { rasterType: 1025, geographicType: 2048, projectedType: 3072 } as const;
const PIXEL_IS_POINT = 2;
// Bytes per value of the TIFF field types we read (SHORT, LONG, DOUBLE).
const TYPE_SIZE: Record<number, number> = { 3: 2, 4: 4, 12: 8 };

/**
 * Reads the georeference of a TIFF file; `null` when it has none (or is not a classic TIFF).
 *
 * @throws DataFileError when the file cannot be read or its GeoTIFF tags are malformed
 */
export async function readGeoReference(file: string): Promise<GeoReference | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw wrapFileError(file, 'unreadable', 'cannot open', error);
  }
  try {
    const read = async (offset: number, length: number): Promise<DataView> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead < length) throw new Error(`truncated at byte ${offset + bytesRead}`);
      return new DataView(buffer.buffer, buffer.byteOffset, length);
    };
    const header = await read(0, 8).catch(() => null);
    if (header === null) return null;
    const order = header.getUint16(0, false);
    if (order !== 0x4949 && order !== 0x4d4d) return null;
    const le = order === 0x4949;
    if (header.getUint16(2, le) !== 42) return null; // 43 = BigTIFF, not supported
    const ifd = header.getUint32(4, le);
    const count = (await read(ifd, 2)).getUint16(0, le);
    const entries = await read(ifd + 2, count * 12);
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const at = i * 12;
      const tag = entries.getUint16(at, le);
      if (!Object.values(TAG).includes(tag as never)) continue;
      const type = entries.getUint16(at + 2, le);
      const n = entries.getUint32(at + 4, le);
      const size = TYPE_SIZE[type];
      if (size === undefined) throw new Error(`tag ${tag} has field type ${type}`);
      const bytes = size * n;
      const values = bytes <= 4 ? entries : await read(entries.getUint32(at + 8, le), bytes);
      const base = bytes <= 4 ? at + 8 : 0;
      const list: number[] = [];
      for (let k = 0; k < n; k++) {
        const o = base + k * size;
        list.push(
          type === 3
            ? values.getUint16(o, le)
            : type === 4
              ? values.getUint32(o, le)
              : values.getFloat64(o, le),
        );
      }
      tags.set(tag, list);
    }
    return toGeoReference(tags);
  } catch (error) {
    throw wrapFileError(file, 'unreadable', 'cannot read its GeoTIFF tags', error);
  } finally {
    await handle.close();
  }
}

function geoKeys(values: number[] | undefined): Map<number, number> {
  const keys = new Map<number, number>();
  if (!values || values.length < 4) return keys;
  const n = values[3]!;
  for (let k = 0; k < n; k++) {
    const [id, location, , value] = values.slice(4 + k * 4, 8 + k * 4);
    // Location 0: the value is inline (SHORT keys, the ones read here).
    if (id !== undefined && location === 0 && value !== undefined) keys.set(id, value);
  }
  return keys;
}

function toGeoReference(tags: Map<number, number[]>): GeoReference | null {
  const scale = tags.get(TAG.pixelScale);
  const tiepoint = tags.get(TAG.tiepoint);
  const matrix = tags.get(TAG.transformation);
  let t: [number, number, number, number, number, number];
  if (matrix && matrix.length >= 16) {
    const m = matrix;
    t = [m[3]!, m[0]!, m[1]!, m[7]!, m[4]!, m[5]!];
  } else if (scale && scale.length >= 2 && tiepoint && tiepoint.length >= 6) {
    const [i, j, , x, y] = tiepoint as [number, number, number, number, number];
    const [sx, sy] = scale as [number, number];
    t = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  } else {
    return null;
  }
  const keys = geoKeys(tags.get(TAG.geoKeys));
  if (keys.get(KEY.rasterType) === PIXEL_IS_POINT) {
    // The tie point names a pixel centre: move the origin to the pixel's corner (as GDAL does).
    t[0] -= (t[1] + t[2]) / 2;
    t[3] -= (t[4] + t[5]) / 2;
  }
  if (!t.every(Number.isFinite) || t[1] * t[5] - t[2] * t[4] === 0) {
    throw new Error(`degenerate transform [${t.join(', ')}]`);
  }
  const epsg = keys.get(KEY.projectedType) ?? keys.get(KEY.geographicType);
  const known = epsg !== undefined && epsg > 0 && epsg < 32767;
  return { geoTransform: t, ...(known ? { crs: `urn:ogc:def:crs:EPSG::${epsg}` } : {}) };
}
