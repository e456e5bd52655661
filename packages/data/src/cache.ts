/**
 * On-disk cache of decoded (and resized) samples, so a second run reads a few flat binary files
 * instead of decoding PNGs again. One file per sample, named by a hash of the source files' paths,
 * sizes and modification times and of every setting that changes the result.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LabelImage } from '@unet/infer';
import { DataFileError, describeError } from './errors.js';
import type { Sample } from './sample.js';

const MAGIC = 'UNETDC01';
/** Bump when the entry layout or any decoding rule changes, so old entries are ignored. */
const FORMAT_VERSION = 2;

interface ArrayHeader {
  name: 'image' | 'mask' | 'instances';
  width: number;
  height: number;
  channels: number;
  count?: number;
  /** Instance labels are stored as `runs` Int32 values: (label, length) pairs. */
  runs?: number;
}

interface EntryHeader {
  id: string;
  files: string[];
  originalSize: Sample['originalSize'];
  arrays: ArrayHeader[];
}

/** The default cache folder: `node_modules/.cache/unet-data` if `node_modules` exists here, else the OS temp folder. */
export function defaultCacheDir(): string {
  const nodeModules = path.resolve('node_modules');
  return existsSync(nodeModules)
    ? path.join(nodeModules, '.cache', 'unet-data')
    : path.join(os.tmpdir(), 'unet-data-cache');
}

/** Resolves the `cache` read option to a folder, or `undefined` when caching is off. */
export function resolveCacheDir(option: boolean | string | undefined): string | undefined {
  if (option === false) return undefined;
  if (typeof option === 'string') return path.resolve(option);
  return defaultCacheDir();
}

/** Deletes a cache folder (default: {@link defaultCacheDir}) and everything in it. */
export async function clearCache(dir: string = defaultCacheDir()): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A folder of cached samples. */
export class SampleCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Key of a sample built from `files` with `settings` (stats the files: path, size, mtime). */
  async keyFor(files: readonly string[], settings: unknown): Promise<string> {
    const fingerprints = await Promise.all(
      files.map(async (file) => {
        try {
          const info = await stat(file);
          return [path.resolve(file), info.size, info.mtimeMs];
        } catch (error) {
          throw new DataFileError(
            file,
            'missing-file',
            `cannot read file (${describeError(error)})`,
            {
              cause: error,
            },
          );
        }
      }),
    );
    return createHash('sha256')
      .update(JSON.stringify({ version: FORMAT_VERSION, settings, fingerprints }))
      .digest('hex')
      .slice(0, 40);
  }

  private fileFor(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.bin`);
  }

  /** The cached sample, or `undefined` when absent or unreadable (a damaged entry is a miss). */
  async get(key: string): Promise<Sample | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.fileFor(key));
    } catch {
      return undefined;
    }
    try {
      return decodeEntry(bytes);
    } catch {
      await rm(this.fileFor(key), { force: true });
      return undefined;
    }
  }

  /** Stores a sample (atomically: written to a temporary name, then renamed). */
  async put(key: string, sample: Sample): Promise<void> {
    const file = this.fileFor(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, encodeEntry(sample));
    await rename(temporary, file);
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function encodeEntry(sample: Sample): Buffer {
  const arrays: ArrayHeader[] = [];
  const payloads: Uint8Array[] = [];
  const { image, mask, instances } = sample;
  arrays.push({
    name: 'image',
    width: image.width,
    height: image.height,
    channels: image.channels,
  });
  payloads.push(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  if (mask) {
    arrays.push({ name: 'mask', width: mask.width, height: mask.height, channels: mask.channels });
    payloads.push(Uint8Array.from(mask.data)); // {0, 1} fits a byte
  }
  if (instances) {
    const { labels, width, height, count } = instances;
    const runs = encodeRuns(labels);
    arrays.push({ name: 'instances', width, height, channels: 1, count, runs: runs.length });
    payloads.push(new Uint8Array(runs.buffer, runs.byteOffset, runs.byteLength));
  }
  const header: EntryHeader = {
    id: sample.id,
    files: sample.files,
    originalSize: sample.originalSize,
    arrays,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(MAGIC.length + 4 + headerBytes.length);
  const total = payloads.reduce((at, p) => align8(at + p.byteLength), start);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerBytes.length, MAGIC.length);
  headerBytes.copy(out, MAGIC.length + 4);
  let at = start;
  for (const payload of payloads) {
    out.set(payload, at);
    at = align8(at + payload.byteLength);
  }
  return out;
}

function decodeEntry(bytes: Buffer): Sample {
  if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a cache entry');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const header = JSON.parse(
    bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength),
  ) as EntryHeader;
  let at = align8(MAGIC.length + 4 + headerLength);
  const sample: Partial<Sample> = {
    id: header.id,
    files: header.files,
    originalSize: header.originalSize,
  };
  for (const array of header.arrays) {
    const values = array.width * array.height * array.channels;
    const byteLength =
      array.name === 'mask'
        ? values
        : array.name === 'instances'
          ? (array.runs ?? 0) * 4
          : values * 4;
    if (at + byteLength > bytes.length) throw new Error('truncated cache entry');
    const slice = bytes.subarray(at, at + byteLength);
    at = align8(at + byteLength);
    const { width, height, channels } = array;
    if (array.name === 'image') {
      sample.image = { data: copyFloat32(slice), width, height, channels };
    } else if (array.name === 'mask') {
      sample.mask = { data: Float32Array.from(slice), width, height, channels };
    } else {
      const runs = new Int32Array(array.runs ?? 0);
      new Uint8Array(runs.buffer).set(slice);
      const labels = decodeRuns(runs, values);
      sample.instances = { labels, width, height, count: array.count ?? 0 } as LabelImage;
    }
  }
  if (!sample.image) throw new Error('cache entry has no image');
  return sample as Sample;
}

/** Run-length encoding of a label map as (label, length) pairs: label maps are mostly 0. */
function encodeRuns(labels: Int32Array): Int32Array {
  const runs: number[] = [];
  let i = 0;
  while (i < labels.length) {
    const label = labels[i]!;
    let end = i + 1;
    while (end < labels.length && labels[end] === label) end++;
    runs.push(label, end - i);
    i = end;
  }
  return Int32Array.from(runs);
}

function decodeRuns(runs: Int32Array, length: number): Int32Array {
  const labels = new Int32Array(length);
  let at = 0;
  for (let r = 0; r + 1 < runs.length; r += 2) {
    const label = runs[r]!;
    const count = runs[r + 1]!;
    if (at + count > length) throw new Error('cache entry: label runs exceed the image');
    if (label !== 0) labels.fill(label, at, at + count);
    at += count;
  }
  if (at !== length) throw new Error('cache entry: label runs do not cover the image');
  return labels;
}

function copyFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
