import { createHash } from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../parse-flags.js';

/** `--shard I/N`: this run takes the images of shard I (1-based) of N. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `I/N` with 1 <= I <= N. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be I/N with 1 <= I <= N (e.g. 2/4), got '${text}'`);
  }
  return { index, count };
}

/** The shard (1..count) of an image id: a hash of the name, the same on every machine. */
export function shardOf(id: string, count: number): number {
  const digest = createHash('sha1').update(id).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** The image id of a file: its name without folder and extension (the mask's file stem). */
export function imageId(file: string): string {
  return path.basename(file, path.extname(file));
}

/** The files of `shard` (all of them when no shard is given), in their order. */
export function selectShard(files: string[], shard: string | undefined): string[] {
  if (shard === undefined) return files;
  const { index, count } = parseShard(shard);
  return files.filter((file) => shardOf(imageId(file), count) === index);
}
