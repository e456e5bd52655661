import * as tf from '@tensorflow/tfjs';
import {
  BUNDLE_MANIFEST_FILE,
  BundleError,
  type BundleManifest,
  parseBundleManifest,
} from './bundle-manifest.js';

/**
 * Where a bundle's files come from: a URL folder (fetch), a folder the user picked (File
 * objects), the file system. `read` resolves to null when the file does not exist.
 */
export interface BundleSource {
  /** Shown in errors before the file name, e.g. `https://host/bundle` or `my-bundle`. */
  label: string;
  read(name: string): Promise<ArrayBuffer | null>;
}

/** A bundle's manifest and its model as in-memory tfjs artifacts (load with `tf.io.fromMemory`). */
export interface BundleContents {
  manifest: BundleManifest;
  artifacts: tf.io.ModelArtifacts;
}

interface ModelJson {
  modelTopology?: object;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  [key: string]: unknown;
}

function where(source: BundleSource, name: string): string {
  return `${source.label.replace(/\/+$/, '')}/${name}`;
}

/**
 * Reads a bundle through `source`: `unet.json` (validated), `model.json` and every weight file it
 * lists, so a missing or broken file is reported by name before tfjs sees anything.
 * @throws {@link BundleError} naming the file: manifest missing, malformed or from a newer major
 * format; model.json missing or not a layers model; a weight file missing.
 */
export async function readBundle(source: BundleSource): Promise<BundleContents> {
  const manifestFile = where(source, BUNDLE_MANIFEST_FILE);
  const manifestBytes = await source.read(BUNDLE_MANIFEST_FILE);
  if (manifestBytes === null) {
    throw new BundleError(
      manifestFile,
      'missing: not a bundle (export one with the export command)',
    );
  }
  const manifest = parseBundleManifest(new TextDecoder().decode(manifestBytes), manifestFile);
  const modelFile = where(source, manifest.modelFile);
  const modelBytes = await source.read(manifest.modelFile);
  if (modelBytes === null) throw new BundleError(modelFile, 'missing (named by unet.json)');
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(modelBytes)) as ModelJson;
  } catch (error) {
    throw new BundleError(modelFile, `malformed JSON (${(error as Error).message})`);
  }
  if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new BundleError(modelFile, 'not a tfjs layers model (no modelTopology/weightsManifest)');
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const name of group.paths) {
      const clean = name.replace(/^\.\//, '');
      const bytes = await source.read(clean);
      if (bytes === null) {
        throw new BundleError(
          where(source, clean),
          `missing: the bundle has no weights (listed in ${manifest.modelFile})`,
        );
      }
      buffers.push(bytes);
    }
  }
  const { weightsManifest: _listed, ...rest } = json;
  const artifacts: tf.io.ModelArtifacts = {
    ...rest,
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
  };
  return { manifest, artifacts };
}

/** A {@link BundleSource} over a URL folder (`fetch`; a 404 is a missing file). */
export function urlBundleSource(baseUrl: string): BundleSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    label: baseUrl,
    async read(name) {
      const response = await fetch(new URL(name, base));
      if (response.status === 404) return null;
      if (!response.ok) {
        throw new BundleError(`${base}${name}`, `cannot be fetched (HTTP ${response.status})`);
      }
      return response.arrayBuffer();
    },
  };
}
