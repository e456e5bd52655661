import path from 'node:path';
import { createRandom, encodePng, type RasterImage } from '@unet/data';

/** Options of {@link writeSyntheticNuclei}. */
export interface SyntheticNucleiOptions {
  /** Number of images. */
  count: number;
  /** Width and height of each image in pixels. */
  size: number;
  /** Seed of the generator: the same seed writes the same files. */
  seed: number;
}

interface Nucleus {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
}

function inside(n: Nucleus, x: number, y: number): boolean {
  const dx = x - n.cx;
  const dy = y - n.cy;
  const c = Math.cos(n.angle);
  const s = Math.sin(n.angle);
  const u = (dx * c + dy * s) / n.rx;
  const v = (-dx * s + dy * c) / n.ry;
  return u * u + v * v <= 1;
}

function placeNuclei(random: () => number, size: number): Nucleus[] {
  const nuclei: Nucleus[] = [];
  const wanted = 4 + Math.floor(random() * 8);
  for (let attempt = 0; attempt < 200 && nuclei.length < wanted; attempt++) {
    const r = size * (0.04 + random() * 0.05);
    const candidate: Nucleus = {
      cx: r + random() * (size - 2 * r),
      cy: r + random() * (size - 2 * r),
      rx: r * (0.8 + random() * 0.4),
      ry: r * (0.6 + random() * 0.4),
      angle: random() * Math.PI,
    };
    // Instance masks in DSB2018 never overlap: keep nuclei apart.
    const apart = nuclei.every(
      (n) => Math.hypot(n.cx - candidate.cx, n.cy - candidate.cy) > n.rx + candidate.rx + 2,
    );
    if (apart) nuclei.push(candidate);
  }
  return nuclei;
}

/**
 * Writes a small nuclei-like dataset in the DSB2018 layout (`<id>/images/<id>.png`,
 * `<id>/masks/<n>.png`, one nucleus per mask): bright ellipses with texture and noise on a dark,
 * unevenly lit background. Returns the sample ids.
 */
export async function writeSyntheticNuclei(
  dir: string,
  options: SyntheticNucleiOptions,
): Promise<string[]> {
  const random = createRandom(options.seed);
  const { size } = options;
  const ids: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = `synthetic-${String(i).padStart(3, '0')}`;
    const nuclei = placeNuclei(random, size);
    const image: RasterImage = {
      data: new Float32Array(size * size * 3),
      width: size,
      height: size,
      channels: 3,
    };
    const tint = [0.7 + random() * 0.3, 0.7 + random() * 0.3, 0.7 + random() * 0.3];
    const light = random() * 0.15;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const hit = nuclei.find((n) => inside(n, x, y));
        const background = 0.05 + light * (x / size) + random() * 0.08;
        const value = hit ? 0.55 + 0.3 * Math.sin((x + y) / 3) ** 2 + random() * 0.1 : background;
        for (let c = 0; c < 3; c++)
          image.data[(y * size + x) * 3 + c] = Math.min(1, value * tint[c]!);
      }
    }
    await encodePng(path.join(dir, id, 'images', `${id}.png`), image);
    for (const [k, nucleus] of nuclei.entries()) {
      const mask: RasterImage = {
        data: new Float32Array(size * size),
        width: size,
        height: size,
        channels: 1,
      };
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) if (inside(nucleus, x, y)) mask.data[y * size + x] = 1;
      }
      await encodePng(path.join(dir, id, 'masks', `${id}-${k}.png`), mask);
    }
    ids.push(id);
  }
  return ids;
}
