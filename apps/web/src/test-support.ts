/**
 * Node-side helpers of the page test and the browser benchmark: a loopback static server, a
 * tiny U-Net bundle trained on one DSB2018 image in a few seconds, and headless Chromium.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// Node's native backend trains the tiny model in seconds (the pure-JS one takes minutes).
import '@tensorflow/tfjs-node';
import * as tf from '@tensorflow/tfjs';
import { listDsb2018 } from '@unet/data';
import { cropReflect, type RasterImage } from '@unet/infer';
import { buildUnet } from '@unet/layers';
import { exportBundle, writeCheckpointDir } from '@unet/train';
import type { BrowserContext } from 'playwright-core';
import { launchChromiumContext } from '../scripts/chromium.mjs';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** Real samples, beside the repository as in every package's tests. */
export const DSB_DIR = path.join(REPO_ROOT, '../shared/data/dsb2018/stage1_train');
export { CHROMIUM } from '../scripts/chromium.mjs';
export const WEB_DIST = path.resolve(import.meta.dirname, '../dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
};

/** Serves `mounts` (URL prefix -> folder) on 127.0.0.1 at a free port; resolves to its origin. */
export async function serveStatic(
  mounts: Record<string, string>,
): Promise<{ origin: string; close(): Promise<void> }> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    const root = prefix === undefined ? undefined : mounts[prefix];
    let file = root && path.join(root, decodeURIComponent(url.pathname.slice(prefix!.length)));
    if (file?.endsWith('/') || (file && file === root)) file = path.join(file, 'index.html');
    const stat =
      file && root && file.startsWith(root) ? await fs.stat(file).catch(() => null) : null;
    if (!file || !stat?.isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The first DSB2018 training sample (256x256 RGBA PNG) with the union of its nucleus masks. */
export async function firstDsbSample(): Promise<{
  file: string;
  image: RasterImage;
  mask: RasterImage;
}> {
  const ids = (await fs.readdir(DSB_DIR)).sort();
  const id = ids[0]!;
  // List a folder holding only this sample, so the reader decodes one image and its masks.
  const one = await fs.mkdtemp(path.join(os.tmpdir(), 'unet-web-dsb-'));
  await fs.symlink(path.join(DSB_DIR, id), path.join(one, id));
  const [ref] = await listDsb2018(one, { channels: 3, masks: 'required' });
  const sample = await ref!.load();
  if (!sample.mask) throw new Error(`${id}: the DSB2018 sample has no masks`);
  return {
    file: path.join(DSB_DIR, id, 'images', `${id}.png`),
    image: sample.image,
    mask: sample.mask,
  };
}

/**
 * Trains a small U-Net (depth 2, 8 filters, 64x64 input) on random 64x64 crops of one image for a
 * few seconds and exports it as a tiled bundle: confident enough that browser and Node masks
 * can be compared pixel for pixel, small enough to train in a test.
 */
export async function trainTinyBundle(
  outDir: string,
  sample: { image: RasterImage; mask: RasterImage },
  options: { channels?: number; steps?: number } = {},
): Promise<string> {
  const size = 64;
  const channels = options.channels ?? 3;
  // Seeded: an unseeded start once predicted no foreground at all after 60 steps.
  const model = buildUnet({ inputShape: [size, size, channels], depth: 2, filters: 8, seed: 4 });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const steps = options.steps ?? 60;
  // A fixed crop sequence (Park-Miller), so every run trains on the same crops.
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const image = sample.image;
  for (let step = 0; step < steps; step++) {
    const batch = 8;
    const xs = new Float32Array(batch * size * size * channels);
    const ys = new Float32Array(batch * size * size);
    for (let k = 0; k < batch; k++) {
      const x = Math.floor(random() * (image.width - size));
      const y = Math.floor(random() * (image.height - size));
      const crop = cropReflect(image, x, y, size, size);
      // Extra channels (a model the page must refuse) repeat the first one.
      for (let i = 0; i < size * size; i++) {
        for (let c = 0; c < channels; c++) {
          xs[(k * size * size + i) * channels + c] =
            crop[i * image.channels + (c % image.channels)]!;
        }
      }
      ys.set(cropReflect(sample.mask, x, y, size, size), k * size * size);
    }
    const xt = tf.tensor4d(xs, [batch, size, size, channels]);
    const yt = tf.tensor4d(ys, [batch, size, size, 1]);
    await model.trainOnBatch(xt, yt);
    tf.dispose([xt, yt]);
  }
  const modelDir = path.join(outDir, 'model');
  let files: { name: string; data: Uint8Array | string }[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, weightSpecs, ...rest } = artifacts;
      files = [
        {
          name: 'model.json',
          data: JSON.stringify({
            ...rest,
            weightsManifest: [{ paths: ['./weights.bin'], weights: weightSpecs }],
          }),
        },
        { name: 'weights.bin', data: new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData)) },
      ];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  await writeCheckpointDir(modelDir, files);
  const bundleDir = path.join(outDir, 'bundle');
  await exportBundle(modelDir, bundleDir, {
    recipe: { name: 'dsb2018', program: 'unet-dsb2018' },
    tiling: { tileSize: size, overlap: 16 },
  });
  return bundleDir;
}

/**
 * Headless Chromium with the flags this machine needs, on a fresh profile (Playwright takes the
 * profile folder as launchPersistentContext's argument, not as --user-data-dir).
 */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'unet-web-chromium-'));
  const context = await launchChromiumContext(profile, {
    acceptDownloads: true,
    viewport: { width: 1100, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}
