/**
 * Benchmark (not a test): images/second loading the DSB2018 sample (56 images, 3,669 instance
 * masks) at 128x128 and 256x256, cold (decoding PNGs, filling an empty cache) and cached (second
 * run, reading the cache). Run with `pnpm --filter @unet/data bench`.
 *
 * "Cold" means not decoded before; the PNG files themselves are in the OS page cache after the
 * first repetition, so this measures decoding, not disk reads.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDsb2018 } from '@unet/data';

// Runs from bench/ (as .ts) or bench/dist/ (compiled): find the package folder first.
let packageDir = path.dirname(fileURLToPath(import.meta.url));
while (!existsSync(path.join(packageDir, 'package.json'))) packageDir = path.dirname(packageDir);
const repoRoot = path.resolve(packageDir, '../..');
const stage1 = path.resolve(repoRoot, '../shared/data/dsb2018/stage1_train');
const coldRepeats = Number(process.env.BENCH_COLD_REPEATS ?? 2);
const cachedRepeats = Number(process.env.BENCH_CACHED_REPEATS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timeLoad(size: number, cache: string | false) {
  const started = performance.now();
  const { samples, stats } = await readDsb2018(stage1, { size, cache, progress: false });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, images: samples.length, stats };
}

async function main() {
  if (!existsSync(stage1)) {
    console.warn(`DSB2018 sample not found at ${stage1}: nothing to benchmark`);
    return;
  }
  console.log(
    `DSB2018 sample load speed (${os.cpus().length} CPUs, node ${process.version}, ` +
      `cold x${coldRepeats}, cached x${cachedRepeats}, medians)`,
  );
  const rows: Record<string, string | number>[] = [];
  for (const size of [128, 256]) {
    const cold: number[] = [];
    const cached: number[] = [];
    let images = 0;
    for (let r = 0; r < coldRepeats; r++) {
      const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'unet-data-bench-'));
      try {
        const first = await timeLoad(size, cacheDir);
        if (first.stats.cacheHits !== 0) throw new Error('cold run hit the cache');
        cold.push(first.seconds);
        images = first.images;
        for (let c = 0; c < cachedRepeats && r === 0; c++) {
          const again = await timeLoad(size, cacheDir);
          if (again.stats.decodedFiles !== 0) throw new Error('cached run decoded files');
          cached.push(again.seconds);
        }
      } finally {
        await rm(cacheDir, { recursive: true, force: true });
      }
    }
    const coldSeconds = median(cold);
    const cachedSeconds = median(cached);
    rows.push({
      size: `${size}x${size}`,
      images,
      'cold s': coldSeconds.toFixed(2),
      'cold img/s': (images / coldSeconds).toFixed(1),
      'cached s': cachedSeconds.toFixed(3),
      'cached img/s': (images / cachedSeconds).toFixed(0),
    });
  }
  console.table(rows);
}

await main();
