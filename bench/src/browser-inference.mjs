#!/usr/bin/env node
/**
 * Browser inference time of the web page (apps/web) per 256x256 and per 1024x1024 image on each
 * backend that runs in headless Chromium here, next to Node's tensorflow backend, with the same
 * bundle: the DSB2018 preset U-Net (128x128x3, untrained: the time does not depend on the
 * weights), tiled 128 with overlap 32, so a 256 image is 9 tiles and a 1024 image 121.
 * Each cell is the second run of the image on a fresh page (the first compiles shaders / wasm).
 *
 *   pnpm turbo run build --filter=@unet/app-web... && node bench/src/browser-inference.mjs
 */
import { createReadStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeImage, encodePng, resizeImage } from '@unet/data';
import { predictWithBundle } from '@unet/infer';
import { buildUnet } from '@unet/layers';
import { initBackend } from '@unet/runtime';
import { exportBundle, loadModel, requireBundleManifest } from '@unet/train';
import { launchChromiumContext } from '../../apps/web/scripts/chromium.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const dist = path.join(root, 'apps/web/dist');
const dsb = path.join(root, '../shared/data/dsb2018/stage1_train');
const BACKENDS = (process.env.BACKENDS ?? 'webgpu,webgl,wasm,cpu').split(',');
// Both runs of one image get this long (the whole bench must stay under 3 minutes on 2 cores):
// SwiftShader's WebGL can spend minutes compiling shaders. A backend slower than SKIP_LARGE on
// the 256 image is not run on the 1024 one (13x the tiles).
const BUDGET_MS = 90_000;
const SKIP_LARGE_AFTER_MS = 5_000;

if (!existsSync(path.join(dist, 'index.html'))) {
  throw new Error(`${dist} is not built: pnpm turbo run build --filter=@unet/app-web...`);
}
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'unet-browser-bench-'));
await initBackend('tensorflow', { log: () => {}, warn: () => {} });

// The bundle: model folder written the way tfjs saves, then exported.
const model = buildUnet({ preset: 'dsb2018', inputShape: [128, 128, 3] });
await model.save(`file://${path.join(tmp, 'model')}`);
model.dispose();
const bundle = path.join(tmp, 'bundle');
await exportBundle(path.join(tmp, 'model'), bundle, {
  recipe: { name: 'dsb2018', program: 'unet-dsb2018' },
  tiling: { tileSize: 128, overlap: 32 },
});

// Images: a real 256x256 DSB2018 sample and the same upscaled to 1024x1024.
const id = (await fs.readdir(dsb)).sort()[0];
const small = await decodeImage(path.join(dsb, id, 'images', `${id}.png`), { channels: 3 });
const large = await resizeImage(small, 1024, 1024, 'image');
const images = { 256: path.join(tmp, 'img-256.png'), 1024: path.join(tmp, 'img-1024.png') };
await encodePng(images[256], small);
await encodePng(images[1024], large);

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://x');
  const [base, rel] = url.pathname.startsWith('/bundle/')
    ? [bundle, url.pathname.slice('/bundle/'.length)]
    : [dist, url.pathname.slice(1) || 'index.html'];
  const file = path.join(base, decodeURIComponent(rel));
  if (!file.startsWith(base) || !existsSync(file)) return response.writeHead(404).end();
  const type = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.wasm': 'application/wasm',
    '.css': 'text/css',
  };
  response.writeHead(200, {
    'content-type': type[path.extname(file)] ?? 'application/octet-stream',
  });
  createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = await fs.mkdtemp(path.join(tmp, 'chromium-'));
const context = await launchChromiumContext(profile);

/** Milliseconds of the page's own timing (predictWithBundle only) for `file`, the second run. */
async function timeInPage(page, file, budgetMs) {
  const times = [];
  const deadline = Date.now() + budgetMs;
  for (let i = 0; i < 2; i++) {
    await page.setInputFiles('#images', []);
    await page.setInputFiles('#images', [file]);
    await page.waitForSelector('body[data-state="busy"]', { timeout: 10_000 }).catch(() => {});
    const timeout = deadline - Date.now();
    const done = await page
      .waitForSelector('body[data-state="idle"]', { timeout: Math.max(1, timeout) })
      .then(() => true)
      .catch(() => false);
    if (!done) return null;
    const error = await page.locator('#messages').textContent();
    if (error) throw new Error(`the page says: ${error}`);
    const caption = await page.getByTestId('result').nth(0).locator('figcaption').textContent();
    times.push(Number(/, (\d+) ms/.exec(caption)[1]));
  }
  return times[1];
}

const rows = [];
for (const backend of BACKENDS) {
  const page = await context.newPage();
  await page.goto(`${origin}/?bundle=/bundle/&backend=${backend}`);
  await page.waitForSelector('body[data-state="idle"]', { timeout: 60_000 });
  const label = await page.getByTestId('backend').textContent();
  if (!label.startsWith(`Backend: ${backend}`)) {
    rows.push([`browser ${backend}`, 'not available here', '']);
    await page.close();
    continue;
  }
  const t256 = await timeInPage(page, images[256], BUDGET_MS);
  const slow = t256 === null || t256 > SKIP_LARGE_AFTER_MS;
  const t1024 = slow ? undefined : await timeInPage(page, images[1024], BUDGET_MS);
  const cell = (t) =>
    t === undefined
      ? 'not run (slow on 256)'
      : t === null
        ? `over ${BUDGET_MS / 1000} s for 2 runs`
        : `${t} ms`;
  rows.push([`browser ${backend}`, cell(t256), cell(t1024)]);
  // A page still computing is closed, not waited for.
  await page.close();
}
await context.close();
server.close();

// Node: the same bundle through the same predictWithBundle on tfjs-node's TensorFlow.
const nodeModel = await loadModel(bundle);
const manifest = await requireBundleManifest(bundle);
const nodeTimes = [];
for (const image of [small, large]) {
  let last = 0;
  for (let i = 0; i < 2; i++) {
    const start = performance.now();
    await predictWithBundle(nodeModel, manifest, image);
    last = performance.now() - start;
  }
  nodeTimes.push(`${last.toFixed(0)} ms`);
}
nodeModel.dispose();
rows.push([`node ${tf.getBackend()}`, ...nodeTimes]);

console.log(
  `\nDSB2018 preset U-Net, tiles 128 overlap 32 (9 and 121 tiles), ${os.cpus().length} cores`,
);
console.log('| runtime | 256x256 | 1024x1024 |\n|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
await fs.rm(tmp, { recursive: true, force: true });
