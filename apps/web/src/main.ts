/**
 * The page: load a bundle (folder picker or ?bundle=URL), segment PNG/JPEG images with
 * @unet/infer's predictWithBundle on the best backend here, show and download the masks.
 */
import * as tf from '@tensorflow/tfjs';
import '@unet/layers'; // registers the U-Net's custom layers, so bundles of its models load
import {
  type BundleManifest,
  type BundleSource,
  checkBundleModel,
  predictWithBundle,
  readBundle,
  urlBundleSource,
} from '@unet/infer';
import { loadModelWithLosses } from '@unet/losses';
import { chooseBackend } from './backend.js';
import { folderBundleSource } from './bundle-files.js';
import { decodeImageFile, maskToPng } from './decode.js';
import { clearErrors, drawResult, showError, type ViewSettings } from './view.js';

interface Loaded {
  model: tf.LayersModel;
  manifest: BundleManifest;
  label: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
let loaded: Loaded | null = null;
let backendName = '';
const redraws: (() => void)[] = [];
// Tests and people wait on this: 'starting' | 'idle' | 'busy'.
const setState = (state: string) => {
  document.body.dataset.state = state;
};

function view(): ViewSettings {
  return {
    opacity: Number($<HTMLInputElement>('opacity').value),
    maskOnly: $<HTMLInputElement>('mask-only').checked,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function loadBundle(source: BundleSource): Promise<void> {
  const status = $('bundle-status');
  status.textContent = `Loading bundle ${source.label}…`;
  try {
    const { manifest, artifacts } = await readBundle(source);
    const model = await loadModelWithLosses(tf.io.fromMemory(artifacts), { compile: false });
    checkBundleModel(model, manifest, `${source.label}/unet.json`);
    loaded?.model.dispose();
    loaded = { model, manifest, label: source.label };
    const { height, width, channels } = manifest.input;
    const mode = manifest.tiling ? `tiles of ${manifest.tiling.tileSize}` : 'resized';
    status.textContent =
      `Bundle ${source.label}: ${manifest.recipe.program}, ${height}x${width}x${channels} input, ` +
      `${mode}, threshold ${manifest.threshold}, classes ${manifest.classes.join(', ')}`;
  } catch (error) {
    status.textContent = loaded ? `Still using bundle ${loaded.label}.` : 'No bundle loaded.';
    showError(`Cannot load the bundle: ${message(error)}`);
  }
}

async function segment(file: File): Promise<void> {
  if (!loaded) {
    showError(`${file.name}: load a bundle first (folder picker or ?bundle=URL)`);
    return;
  }
  const { model, manifest } = loaded;
  const decoded = await decodeImageFile(file);
  const progress = $<HTMLProgressElement>('progress');
  const label = $('progress-label');
  progress.hidden = false;
  progress.value = 0;
  const start = performance.now();
  const { mask } = await predictWithBundle(model, manifest, decoded.image, {
    bitDepth: decoded.bitDepth,
    onProgress: async (done, total) => {
      progress.value = done / total;
      label.textContent = `${file.name}: ${done}/${total} tiles`;
      // Let the page paint and take input between batches of tiles.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  });
  const ms = performance.now() - start;
  progress.hidden = true;
  label.textContent = '';
  addCard(decoded.name, decoded.image, mask, ms);
}

function addCard(
  name: string,
  image: Parameters<typeof drawResult>[1],
  mask: Parameters<typeof drawResult>[2],
  ms: number,
) {
  const card = document.createElement('figure');
  card.className = 'card';
  card.dataset.testid = 'result';
  const canvas = document.createElement('canvas');
  const meta = document.createElement('figcaption');
  meta.className = 'meta';
  const foreground = mask.data.reduce((a, v) => a + v, 0) / mask.data.length;
  meta.textContent = `${name}: ${image.width}x${image.height}, ${backendName}, ${ms.toFixed(0)} ms, ${(100 * foreground).toFixed(1)}% foreground`;
  const download = document.createElement('button');
  download.textContent = 'Download mask (PNG)';
  download.addEventListener('click', async () => {
    const url = URL.createObjectURL(await maskToPng(mask));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${name.replace(/\.[^.]+$/, '')}_mask.png`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  card.append(canvas, meta, download);
  $('results').prepend(card);
  const redraw = () => drawResult(canvas, image, mask, view());
  redraws.push(redraw);
  redraw();
}

async function segmentAll(files: File[]): Promise<void> {
  setState('busy');
  clearErrors();
  for (const file of files) {
    try {
      await segment(file);
    } catch (error) {
      showError(`${file.name}: ${message(error)}`);
    }
  }
  $('progress').hidden = true;
  setState('idle');
}

function wire(): void {
  $<HTMLInputElement>('bundle-folder').addEventListener('change', async (event) => {
    const files = (event.target as HTMLInputElement).files;
    if (!files?.length) return;
    setState('busy');
    clearErrors();
    await loadBundle(folderBundleSource(files));
    setState('idle');
  });
  $<HTMLInputElement>('images').addEventListener('change', (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    if (files.length) void segmentAll(files);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) void segmentAll(files);
  });
  const redrawAll = () => {
    for (const redraw of redraws) redraw();
  };
  $('opacity').addEventListener('input', redrawAll);
  $('mask-only').addEventListener('change', redrawAll);
  // Anything that escapes is shown, not left in the console.
  window.addEventListener('error', (event) => showError(event.message));
  window.addEventListener('unhandledrejection', (event) => showError(message(event.reason)));
}

async function start(): Promise<void> {
  setState('starting');
  wire();
  try {
    const { name, failed } = await chooseBackend(params.get('backend'));
    backendName = name;
    $('backend').textContent =
      `Backend: ${name}${failed.length ? ` (not available here: ${failed.join(', ')})` : ''}`;
  } catch (error) {
    $('backend').textContent = 'Backend: none';
    showError(message(error));
  }
  const bundleUrl = params.get('bundle');
  if (bundleUrl) await loadBundle(urlBundleSource(new URL(bundleUrl, location.href).href));
  setState('idle');
}

void start();
