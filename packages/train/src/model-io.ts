/**
 * Model and optimizer (de)serialisation to plain files, independent of tfjs-node's `file://`
 * handler (which only exists with the native backend). The files are the standard tfjs layers
 * format: `model.json` (topology + weights manifest) and `weights.bin`, so
 * `tf.loadLayersModel('file://dir/model.json')` reads them too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type LoadModelWithLossesOptions, loadModelWithLosses } from '@unet/losses';
import { type CheckpointFile, resolveCheckpointDir } from './checkpoint-store.js';

/** File names inside a checkpoint folder. */
export const CHECKPOINT_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  optimizer: 'optimizer.json',
  optimizerWeights: 'optimizer.bin',
  state: 'state.json',
} as const;

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Serialises the model (topology and all weights) into the files `model.json` and `weights.bin`. */
export async function modelFiles(model: tf.LayersModel): Promise<CheckpointFile[]> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (captured === undefined) throw new Error('model.save() produced no artifacts');
  const { weightData, weightSpecs, ...rest } = captured;
  const json = {
    ...rest,
    weightsManifest: [{ paths: [`./${CHECKPOINT_FILES.weights}`], weights: weightSpecs ?? [] }],
  };
  return [
    { name: CHECKPOINT_FILES.model, data: JSON.stringify(json) },
    { name: CHECKPOINT_FILES.weights, data: toBytes(weightData) },
  ];
}

interface OptimizerJson {
  className: string;
  weightSpecs: tf.io.WeightsManifestEntry[];
}

/**
 * Serialises the optimizer's state (`optimizer.getWeights()`: iteration count and slot variables
 * such as Adam's moments) into `optimizer.json` and `optimizer.bin`.
 */
export async function optimizerFiles(optimizer: tf.Optimizer): Promise<CheckpointFile[]> {
  const named = await optimizer.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    const json: OptimizerJson = { className: optimizer.getClassName(), weightSpecs: specs };
    return [
      { name: CHECKPOINT_FILES.optimizer, data: JSON.stringify(json) },
      { name: CHECKPOINT_FILES.optimizerWeights, data: new Uint8Array(data) },
    ];
  } finally {
    // The iteration counter is a fresh tensor; the slot variables belong to the optimizer.
    for (const { tensor } of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
}

/** Decodes weights in manifest order (names need not be unique). Caller disposes the tensors. */
function decodeOrdered(data: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): tf.Tensor[] {
  const indexed = specs.map((spec, i) => ({ ...spec, name: `w${i}` }));
  const map = tf.io.decodeWeights(data, indexed);
  return indexed.map((spec) => map[spec.name]!);
}

async function readBuffer(file: string): Promise<ArrayBuffer> {
  const bytes = await fs.readFile(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

async function existingCheckpoint(dir: string): Promise<string> {
  const resolved = await resolveCheckpointDir(dir);
  if (resolved === null) throw new Error(`${dir}: no checkpoint there (no model.json)`);
  return resolved;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  [key: string]: unknown;
}

async function readModelJson(dir: string): Promise<{ folder: string; json: ModelJson }> {
  const folder = await existingCheckpoint(dir);
  const jsonFile = path.join(folder, CHECKPOINT_FILES.model);
  let json: ModelJson;
  try {
    json = JSON.parse(await fs.readFile(jsonFile, 'utf8')) as ModelJson;
  } catch (error) {
    throw new Error(`${jsonFile}: cannot read model topology (${(error as Error).message})`);
  }
  if (json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${jsonFile}: not a tfjs layers model (no modelTopology/weightsManifest)`);
  }
  return { folder, json };
}

type TopologyLayer = { config?: Record<string, unknown> };

/**
 * The batch input shape recorded in a `model.json` topology (`[null, H, W, C]`, null for free
 * dimensions), or undefined when none is recorded. Functional models have an InputLayer;
 * Sequential ones put the shape on their first layer.
 */
export function topologyInputShape(topology: unknown): (number | null)[] | undefined {
  const layers =
    (topology as { config?: { layers?: TopologyLayer[] } } | null)?.config?.layers ?? [];
  const input = layers.find(
    (l) => l.config?.batch_input_shape ?? l.config?.batchInputShape,
  )?.config;
  return (input?.batch_input_shape ?? input?.batchInputShape) as (number | null)[] | undefined;
}

/**
 * The input shape of the model saved in `dir` (as {@link loadModel} finds it), read from its
 * topology without building the model or reading weights: enough to plan tiles.
 * @throws naming `model.json` when it holds no input shape.
 */
export async function readModelInputShape(dir: string): Promise<(number | null)[]> {
  const { folder, json } = await readModelJson(dir);
  const shape = topologyInputShape(json.modelTopology);
  if (!shape) {
    throw new Error(`${path.join(folder, CHECKPOINT_FILES.model)}: no input shape in the topology`);
  }
  return shape;
}

async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const { folder, json } = await readModelJson(dir);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(await readBuffer(path.join(folder, p)));
  }
  const { weightsManifest: _manifest, ...rest } = json;
  return { ...rest, weightSpecs, weightData: tf.io.CompositeArrayBuffer.join(buffers) };
}

/**
 * Loads a model folder written by {@link ModelCheckpoint}, `train()` or `model.save('file://...')`
 * (`<outDir>/best`, `<outDir>/last`) on any backend, through the one loader of the toolkit,
 * `@unet/losses`' `loadModelWithLosses`: uncompiled by default (prediction, evaluation);
 * `{ compile: true }` compiles it with the losses and metrics it was trained with. Custom layers
 * and losses must be registered first (importing `@unet/layers` / `@unet/losses` does that).
 *
 * @example
 * ```ts
 * const model = await loadModel('runs/nuclei/best');
 * ```
 */
export async function loadModel(
  dir: string,
  options: LoadModelWithLossesOptions = {},
): Promise<tf.LayersModel> {
  return loadModelWithLosses(tf.io.fromMemory(await readModelArtifacts(dir)), {
    compile: false,
    ...options,
  });
}

/**
 * Copies the weights of the checkpoint in `dir` into `model` (same architecture; matched by
 * order, shapes checked). Works whatever names tfjs gave the layers in this process.
 * @throws naming the checkpoint when the number or shapes of weights differ.
 */
export async function loadWeightsInto(model: tf.LayersModel, dir: string): Promise<void> {
  const artifacts = await readModelArtifacts(dir);
  const specs = artifacts.weightSpecs ?? [];
  const expected = model.weights;
  if (specs.length !== expected.length) {
    throw new Error(
      `${dir}: checkpoint has ${specs.length} weights, the model has ${expected.length}; ` +
        'build the same architecture that was trained',
    );
  }
  specs.forEach((spec, i) => {
    const shape = expected[i]!.shape;
    if (spec.shape.join(',') !== shape.join(',')) {
      throw new Error(
        `${dir}: weight ${i} (${spec.name}) has shape [${spec.shape}] in the checkpoint, ` +
          `[${shape}] in the model (${expected[i]!.name})`,
      );
    }
  });
  const tensors = decodeOrdered(artifacts.weightData as ArrayBuffer, specs);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * Restores optimizer state saved by `train()` into `optimizer` (which must be the same class and
 * belong to a model of the same architecture).
 * @returns false when the checkpoint has no optimizer state.
 */
export async function loadOptimizerInto(optimizer: tf.Optimizer, dir: string): Promise<boolean> {
  const folder = await existingCheckpoint(dir);
  const jsonFile = path.join(folder, CHECKPOINT_FILES.optimizer);
  let json: OptimizerJson;
  try {
    json = JSON.parse(await fs.readFile(jsonFile, 'utf8')) as OptimizerJson;
  } catch {
    return false;
  }
  if (json.className !== optimizer.getClassName()) {
    throw new Error(
      `${jsonFile}: optimizer state is for ${json.className}, the model is compiled with ` +
        `${optimizer.getClassName()}; resume with the same optimizer`,
    );
  }
  const data = await readBuffer(path.join(folder, CHECKPOINT_FILES.optimizerWeights));
  const tensors = decodeOrdered(data, json.weightSpecs);
  try {
    await optimizer.setWeights(
      json.weightSpecs.map((spec, i) => ({ name: spec.name, tensor: tensors[i]! })),
    );
  } finally {
    tf.dispose(tensors);
  }
  return true;
}
