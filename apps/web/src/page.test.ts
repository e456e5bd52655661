/**
 * The page end to end in headless Chromium: build it, serve it with bundles on a loopback port,
 * segment a real DSB2018 image and compare the downloaded mask with @unet/infer in Node; then
 * the bad inputs (non-image, wrong channel count, bundle without weights) must show a message.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeImage } from '@unet/data';
import { type BundleManifest, predictWithBundle, type RasterImage } from '@unet/infer';
import { loadModel, requireBundleManifest } from '@unet/train';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DSB_DIR,
  firstDsbSample,
  launchChromium,
  REPO_ROOT,
  serveStatic,
  trainTinyBundle,
  WEB_DIST,
} from './test-support.js';

const haveData = existsSync(DSB_DIR);
if (!haveData) console.warn(`page.test.ts: skipped, no DSB2018 samples at ${DSB_DIR}`);

function iou(a: RasterImage, b: RasterImage): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]! > 0.5;
    const y = b.data[i]! > 0.5;
    if (x && y) both++;
    if (x || y) either++;
  }
  return either === 0 ? 1 : both / either;
}

describe.skipIf(!haveData)('web page (needs ../shared/data/dsb2018)', () => {
  let tmp: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let sample: Awaited<ReturnType<typeof firstDsbSample>>;
  let bundleDir: string;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'unet-web-test-'));
    await build({ root: path.dirname(WEB_DIST), logLevel: 'warn' });
    sample = await firstDsbSample();
    bundleDir = await trainTinyBundle(path.join(tmp, 'good'), sample);
    // The same network with 2 input channels: no PNG or JPEG fits it.
    await trainTinyBundle(path.join(tmp, 'two-channel'), sample, { channels: 2, steps: 1 });
    await fs.cp(bundleDir, path.join(tmp, 'no-weights'), { recursive: true });
    await fs.rm(path.join(tmp, 'no-weights', 'weights.bin'));
    server = await serveStatic({ '/': WEB_DIST, '/bundles/': tmp });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  async function open(query: string): Promise<Page> {
    const page = await chromium.context.newPage();
    await page.goto(`${server.origin}/${query}`);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 60_000 });
    return page;
  }

  /** Segments the sample on the page opened with `query`; returns the caption and the PNG. */
  async function segmentOnPage(query: string, screenshot: boolean) {
    const page = await open(query);
    await expect(page.getByTestId('bundle-status').textContent()).resolves.toContain(
      'unet-dsb2018, 64x64x3 input, tiles of 64',
    );
    await page.setInputFiles('#images', sample.file);
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 120_000 });
    await page.waitForSelector('body[data-state="idle"]');
    await expect(page.getByTestId('messages').textContent()).resolves.toBe('');
    const caption = (await result.locator('figcaption').textContent()) ?? '';
    if (screenshot) {
      const artifacts = path.join(import.meta.dirname, '../test-results');
      await fs.mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, 'page.png'), fullPage: true });
      // The README's picture is refreshed on request only, so a test run leaves the tree clean.
      if (process.env.UNET_DOCS_SCREENSHOT) {
        await page.screenshot({ path: path.join(REPO_ROOT, 'docs/web-page.png'), fullPage: true });
      }
    }
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.getByRole('button', { name: 'Download mask (PNG)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/_mask\.png$/);
    const maskFile = path.join(tmp, `${query.length}-${download.suggestedFilename()}`);
    await download.saveAs(maskFile);
    await page.close();
    return { caption, mask: await decodeImage(maskFile, { channels: 1 }) };
  }

  it('segments a DSB2018 image like @unet/infer in Node and downloads the mask', async () => {
    const model = await loadModel(bundleDir);
    const manifest: BundleManifest = await requireBundleManifest(bundleDir);
    const nodeMask = (await predictWithBundle(model, manifest, sample.image)).mask;
    model.dispose();
    const foreground = nodeMask.data.reduce((a, v) => a + v, 0) / nodeMask.data.length;
    expect(foreground).toBeGreaterThan(0.01);
    expect(foreground).toBeLessThan(0.9);
    // Trained for seconds, the model must still have found the nuclei, or the comparison is idle.
    expect(iou(nodeMask, sample.mask)).toBeGreaterThan(0.3);

    // The backend the page picks (wasm here: no GPU, and software WebGL is skipped), then WebGL
    // by name, so both kernels sets are checked against Node.
    const picked = await segmentOnPage('?bundle=/bundles/good/bundle/', true);
    expect(picked.caption).toMatch(/: 256x256, (webgpu|webgl|wasm|cpu), \d+ ms/);
    const webgl = await segmentOnPage('?bundle=/bundles/good/bundle/&backend=webgl', false);
    expect(webgl.caption).toMatch(/: 256x256, webgl, \d+ ms/);
    for (const { mask } of [picked, webgl]) {
      expect([mask.width, mask.height]).toEqual([sample.image.width, sample.image.height]);
      expect(iou(mask, nodeMask)).toBeGreaterThanOrEqual(0.99);
    }
  });

  it('shows a message for a file that is not an image', async () => {
    const page = await open('?bundle=/bundles/good/bundle/');
    await page.setInputFiles('#images', {
      name: 'notes.png',
      mimeType: 'image/png',
      buffer: Buffer.from('these are not pixels'),
    });
    const error = page.locator('#messages .error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(
      'notes.png: notes.png is not a PNG or JPEG image',
    );
    await expect(page.locator('h1').isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('shows a message for an image the model cannot take (channel count)', async () => {
    const page = await open('?bundle=/bundles/two-channel/bundle/');
    await page.setInputFiles('#images', sample.file);
    const error = page.locator('#messages .error');
    await error.waitFor({ timeout: 60_000 });
    const name = path.basename(sample.file);
    await expect(error.textContent()).resolves.toBe(
      `${name}: the model takes 2-channel images; this image has 4 channels`,
    );
    await expect(page.getByTestId('result').count()).resolves.toBe(0);
    await page.close();
  });

  it('shows a message for a bundle without weights, by URL and by folder', async () => {
    const page = await open('?bundle=/bundles/no-weights/');
    const error = page.locator('#messages .error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(
      `Cannot load the bundle: ${server.origin}/bundles/no-weights/weights.bin: missing: the bundle has no weights (listed in model.json)`,
    );
    await expect(page.getByTestId('bundle-status').textContent()).resolves.toBe(
      'No bundle loaded.',
    );
    await page.close();

    const picked = await open('');
    await picked.setInputFiles('#bundle-folder', path.join(tmp, 'no-weights'));
    await picked.locator('#messages .error').waitFor();
    await expect(picked.locator('#messages .error').textContent()).resolves.toBe(
      'Cannot load the bundle: no-weights/weights.bin: missing: the bundle has no weights (listed in model.json)',
    );
    await picked.close();
  });
});
