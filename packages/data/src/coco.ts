/**
 * COCO annotation files: per-image building polygons (flat `[x1, y1, x2, y2, ...]` lists) and
 * RLE masks, matched to images by `file_name`.
 */
import type { BinaryMask } from './binary-mask.js';
import type { Point, Polygon, PolygonIssue } from './rasterize.js';

/** The annotations of one image of a COCO file. */
export interface CocoImageAnnotations {
  imageId: number;
  fileName: string;
  width: number;
  height: number;
  /** One polygon per COCO polygon part (parts of one object are OR-ed, COCO has no holes). */
  polygons: Polygon[];
  /** Masks of RLE (`iscrowd`) annotations, already decoded at the image size. */
  rleMasks: BinaryMask[];
  issues: PolygonIssue[];
}

/**
 * Parses a COCO annotation file into per-image polygons, keyed by `file_name`. `segmentation`
 * may be a list of flat `[x1, y1, x2, y2, ...]` polygons, a single flat polygon, or RLE
 * (compressed or not).
 */
export function parseCocoAnnotations(
  json: unknown,
  options: { categoryIds?: readonly number[] } = {},
): Map<string, CocoImageAnnotations> {
  const coco = json as { images?: unknown; annotations?: unknown };
  if (!coco || !Array.isArray(coco.images) || !Array.isArray(coco.annotations)) {
    throw new Error('not a COCO file: expected "images" and "annotations" arrays');
  }
  const byId = new Map<number, CocoImageAnnotations>();
  const byName = new Map<string, CocoImageAnnotations>();
  for (const image of coco.images as {
    id: number;
    file_name: string;
    width: number;
    height: number;
  }[]) {
    if (typeof image.id !== 'number' || typeof image.file_name !== 'string') {
      throw new Error(
        `COCO image entry without numeric "id" and "file_name": ${JSON.stringify(image)}`,
      );
    }
    const entry: CocoImageAnnotations = {
      imageId: image.id,
      fileName: image.file_name,
      width: image.width,
      height: image.height,
      polygons: [],
      rleMasks: [],
      issues: [],
    };
    byId.set(image.id, entry);
    byName.set(image.file_name, entry);
  }
  const categories = options.categoryIds ? new Set(options.categoryIds) : undefined;
  for (const [index, annotation] of (
    coco.annotations as { image_id: number; category_id?: number; segmentation?: unknown }[]
  ).entries()) {
    if (categories && !categories.has(annotation.category_id ?? Number.NaN)) continue;
    const entry = byId.get(annotation.image_id);
    if (!entry)
      throw new Error(`annotations[${index}] refers to unknown image_id ${annotation.image_id}`);
    addCocoSegmentation(entry, annotation.segmentation, index);
  }
  return byName;
}

function addCocoSegmentation(entry: CocoImageAnnotations, segmentation: unknown, index: number) {
  const where = `annotations[${index}].segmentation`;
  if (Array.isArray(segmentation)) {
    const parts = segmentation.every((v) => typeof v === 'number') ? [segmentation] : segmentation;
    for (const part of parts) {
      if (
        !Array.isArray(part) ||
        !part.every((v) => typeof v === 'number') ||
        part.length % 2 !== 0
      ) {
        entry.issues.push({
          polygon: entry.polygons.length,
          problem: 'non-finite',
          detail: `${where}: a polygon must be a flat list of x, y numbers`,
        });
        continue;
      }
      const ring: Point[] = [];
      for (let i = 0; i < part.length; i += 2)
        ring.push([part[i] as number, part[i + 1] as number]);
      entry.polygons.push({ rings: [ring] });
    }
    return;
  }
  if (segmentation && typeof segmentation === 'object' && 'counts' in segmentation) {
    entry.rleMasks.push(decodeCocoRle(segmentation as CocoRle, where));
    return;
  }
  throw new Error(`${where} is neither polygons nor RLE`);
}

/** COCO run-length encoding: column-major runs starting with background. */
export interface CocoRle {
  counts: string | number[];
  size: [number, number];
}

/** Decodes COCO RLE (compressed string or plain counts) into a mask. */
export function decodeCocoRle(rle: CocoRle, where = 'RLE'): BinaryMask {
  const [height, width] = rle.size;
  const counts = typeof rle.counts === 'string' ? rleCountsFromString(rle.counts) : rle.counts;
  const columnMajor = new Uint8Array(width * height);
  let at = 0;
  let value = 0;
  for (const count of counts) {
    if (at + count > columnMajor.length) throw new Error(`${where}: runs exceed the image size`);
    if (value === 1) columnMajor.fill(1, at, at + count);
    at += count;
    value ^= 1;
  }
  const data = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) data[y * width + x] = columnMajor[x * height + y]!;
  }
  return { data, width, height };
}

/** pycocotools' compressed counts string (6-bit chunks, deltas after the second run). */
function rleCountsFromString(text: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = text.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}
