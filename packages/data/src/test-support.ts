/**
 * Helpers for the tests (not part of the package: never imported by src/index.ts).
 * Fixtures are generated with sharp in temporary folders; real samples come from ../shared/data.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll } from 'vitest';

/** The monorepo root (…/main). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The shared sample data folder (`../shared/data` from the repository root). */
export const sharedData = path.resolve(repoRoot, '../shared/data');

/** Reference numbers computed by reference/make_reference.py. */
export const referenceDir = path.resolve(repoRoot, 'packages/data/reference');

/** True when `../shared/data/<name>` exists; otherwise prints why the tests using it are skipped. */
export function hasSharedData(name: string): boolean {
  const present = existsSync(path.join(sharedData, name));
  if (!present) {
    console.warn(
      `[@unet/data tests] ${path.join(sharedData, name)} not found: skipping tests on it`,
    );
  }
  return present;
}

/** A fresh temporary folder; remove it with {@link removeDir}. */
export async function makeTempDir(prefix = 'unet-data-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes an 8-bit PNG from bytes (HWC), creating parent folders. */
export async function writePng(
  file: string,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  fill: (x: number, y: number, c: number) => number,
): Promise<void> {
  const bytes = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) bytes[(y * width + x) * channels + c] = fill(x, y, c);
    }
  }
  await mkdir(path.dirname(file), { recursive: true });
  const image = sharp(bytes, { raw: { width, height, channels } });
  await (channels <= 2 ? image.toColourspace('b-w') : image).png().toFile(file);
}

/** Writes a 16-bit greyscale PNG or TIFF (by extension) from 16-bit samples. */
export async function write16BitGrey(
  file: string,
  width: number,
  height: number,
  fill: (x: number, y: number) => number,
): Promise<void> {
  const samples = new Uint16Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) samples[y * width + x] = fill(x, y);
  await mkdir(path.dirname(file), { recursive: true });
  const image = sharp(samples, { raw: { width, height, channels: 1 } }).toColourspace('grey16');
  await (file.endsWith('.png') ? image.png() : image.tiff()).toFile(file);
}

/** A binary mask fill: 255 inside the axis-aligned box, 0 outside. */
export function box(x0: number, y0: number, x1: number, y1: number) {
  return (x: number, y: number) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? 255 : 0);
}

/** Writes a text file, creating parent folders. */
export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Sum of the values (e.g. set pixels of a {0, 1} mask). */
export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

/** Intersection over union of two masks (values > 0.5 count as set). */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]! > 0.5;
    const q = b[i]! > 0.5;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** True when every value is exactly 0 or 1. */
export function isZeroOne(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return false;
  return true;
}

/** Byte-wise equality of two typed arrays (vitest's deep equality is slow on millions of values). */
export function sameValues(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/**
 * A temp folder made before the calling file's tests and removed after them: call the returned
 * function for its path.
 */
export function useTempDir(prefix?: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await makeTempDir(prefix);
  });
  afterAll(() => (dir ? removeDir(dir) : undefined));
  return () => {
    if (!dir) throw new Error('useTempDir: the folder is made in beforeAll');
    return dir;
  };
}
