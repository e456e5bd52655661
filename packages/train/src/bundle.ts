/**
 * Model bundles on disk: a folder with `model.json`, its weight files and `unet.json` (the
 * manifest of `@unet/infer`), so a trained model can be served to a browser or handed to another
 * machine with everything prediction needs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_MANIFEST_FILE,
  BundleError,
  type BundleManifest,
  type BundleNormalization,
  parseBundleManifest,
} from '@unet/infer';
import {
  type CheckpointFile,
  resolveCheckpointDir,
  writeCheckpointDir,
} from './checkpoint-store.js';
import { CHECKPOINT_FILES, topologyInputShape } from './model-io.js';

/** What {@link exportBundle} cannot read from the model folder itself. */
export interface BundleInfo {
  recipe: { name: string; program: string };
  /** Default 0.5. */
  threshold?: number;
  /** Tiled prediction at full resolution (tile = the model's input size unless given). */
  tiling?: { tileSize?: number; overlap?: number } | null;
  /** Default `['foreground']` (binary). */
  classes?: string[];
  /** Default: unit scale, no 16-bit stretch. */
  normalization?: BundleNormalization;
  /** Added to `@tensorflow/tfjs`'s version, which is always recorded. */
  versions?: Record<string, string>;
  /** `metrics.json` of `evaluate`: its numeric top-level fields become `metrics`. */
  metricsFile?: string;
}

interface ModelJson {
  modelTopology?: { config?: { layers?: { class_name?: string; config?: Json }[] } };
  weightsManifest?: { paths: string[] }[];
}
type Json = Record<string, unknown>;

async function readJson<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new BundleError(file, `missing (${what})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new BundleError(file, `malformed JSON (${(error as Error).message})`);
  }
}

/** The fixed NHWC input size from the topology (no model needs to be built). */
function inputShape(json: ModelJson, file: string) {
  const shape = topologyInputShape(json.modelTopology);
  const [, height, width, channels] = shape ?? [];
  if (shape?.length !== 4 || !height || !width || !channels) {
    throw new BundleError(
      file,
      `needs a model with a fixed NHWC input (batch_input_shape [null, H, W, C]), got ${JSON.stringify(shape)}`,
    );
  }
  return { height, width, channels };
}

async function readMetrics(file: string): Promise<Record<string, number>> {
  const json = await readJson<unknown>(file, 'the metrics.json of evaluate');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new BundleError(file, 'must hold a JSON object of scores');
  }
  const numbers = Object.entries(json).filter(
    ([, v]) => typeof v === 'number' && Number.isFinite(v),
  );
  if (numbers.length === 0) throw new BundleError(file, 'holds no numeric scores');
  return Object.fromEntries(numbers) as Record<string, number>;
}

/**
 * Writes a bundle of the model in `modelDir` (e.g. `OUT/model` of `train`) to `outDir`: its
 * `model.json` and weight files copied unchanged, and `unet.json` describing input, normalisation,
 * threshold, tiling, classes, recipe, versions and (with `metricsFile`) its evaluation scores.
 * `outDir` is replaced atomically.
 * @returns the manifest written.
 * @throws `BundleError` (@unet/infer) naming the file when the model folder or metrics file is unusable.
 */
export async function exportBundle(
  modelDir: string,
  outDir: string,
  info: BundleInfo,
): Promise<BundleManifest> {
  const folder = await resolveCheckpointDir(modelDir);
  const modelFile = path.join(folder ?? modelDir, CHECKPOINT_FILES.model);
  const json = await readJson<ModelJson>(modelFile, 'a model folder holds model.json');
  if (!Array.isArray(json.weightsManifest)) {
    throw new BundleError(modelFile, 'not a tfjs layers model (no weightsManifest)');
  }
  const input = inputShape(json, modelFile);
  const files: CheckpointFile[] = [
    { name: CHECKPOINT_FILES.model, data: await fs.readFile(modelFile, 'utf8') },
  ];
  for (const name of json.weightsManifest.flatMap((group) => group.paths)) {
    const file = path.join(path.dirname(modelFile), name);
    const data = await fs.readFile(file).catch(() => {
      throw new BundleError(file, `missing (listed in ${modelFile})`);
    });
    files.push({ name: path.basename(name), data });
  }
  const tileSize = info.tiling?.tileSize ?? input.height;
  const manifest: BundleManifest = {
    format: 'unet-bundle',
    formatVersion: BUNDLE_FORMAT_VERSION,
    modelFile: CHECKPOINT_FILES.model,
    input,
    normalization: info.normalization ?? { scale: 'unit', percentile16: null },
    threshold: info.threshold ?? 0.5,
    tiling: info.tiling
      ? { tileSize, overlap: info.tiling.overlap ?? Math.floor(tileSize / 4) }
      : null,
    classes: info.classes ?? ['foreground'],
    recipe: info.recipe,
    versions: { '@tensorflow/tfjs': tf.version.tfjs, ...info.versions },
    metrics: info.metricsFile ? await readMetrics(info.metricsFile) : null,
    createdAt: new Date().toISOString(),
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  // What is written must read back: the same validation a browser applies.
  parseBundleManifest(text, path.join(outDir, BUNDLE_MANIFEST_FILE));
  files.push({ name: BUNDLE_MANIFEST_FILE, data: text });
  await writeCheckpointDir(outDir, files);
  return manifest;
}

/**
 * The manifest of the bundle in `dir`, or null when `dir` has no `unet.json` (a plain model
 * folder).
 * @throws `BundleError` (@unet/infer) when it is malformed or from a newer major format.
 */
export async function readBundleManifest(dir: string): Promise<BundleManifest | null> {
  const file = path.join(dir, BUNDLE_MANIFEST_FILE);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  return text === null ? null : parseBundleManifest(text, file);
}

/**
 * Like {@link readBundleManifest}, for a folder that must be a bundle.
 * @throws `BundleError` (@unet/infer) naming `unet.json` when it is missing.
 */
export async function requireBundleManifest(dir: string): Promise<BundleManifest> {
  const manifest = await readBundleManifest(dir);
  if (manifest === null) {
    throw new BundleError(
      path.join(dir, BUNDLE_MANIFEST_FILE),
      'missing: not a bundle folder (write one with the export command)',
    );
  }
  return manifest;
}
