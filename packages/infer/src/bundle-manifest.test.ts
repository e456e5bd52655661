import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  BundleError,
  type BundleManifest,
  type BundleSource,
  normalizePercentiles,
  parseBundleManifest,
  predictProbability,
  predictWithBundle,
  readBundle,
} from './index.js';
import { onesConv } from './test-support.js';

const valid: BundleManifest = {
  format: 'unet-bundle',
  formatVersion: '1.0',
  modelFile: 'model.json',
  input: { height: 8, width: 8, channels: 1 },
  normalization: { scale: 'unit', percentile16: { low: 2, high: 98, nodata: 0 } },
  threshold: 0.4,
  tiling: { tileSize: 8, overlap: 2 },
  classes: ['building'],
  recipe: { name: 'satellite', program: 'unet-satellite' },
  versions: { '@unet/train': '0.1.0' },
  metrics: { dice: 0.8 },
  createdAt: '2026-01-01T00:00:00.000Z',
};

const text = (changes: Record<string, unknown>) => JSON.stringify({ ...valid, ...changes });

describe('parseBundleManifest', () => {
  it('reads back what was written, and newer minor versions', () => {
    expect(parseBundleManifest(JSON.stringify(valid))).toEqual(valid);
    expect(parseBundleManifest(text({ formatVersion: '1.7', extra: 1 })).formatVersion).toBe('1.7');
    const plain = parseBundleManifest(
      text({ tiling: null, metrics: null, normalization: { scale: 'unit', percentile16: null } }),
    );
    expect([plain.tiling, plain.metrics, plain.normalization.percentile16]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it.each([
    ['bad JSON', '{ "format": ', 'b/unet.json: malformed JSON'],
    ['an array', '[1]', 'b/unet.json: must hold a JSON object'],
    ['another format', text({ format: 'keras' }), `b/unet.json: not a U-Net bundle manifest`],
    [
      'a newer major',
      text({ formatVersion: '2.0' }),
      'b/unet.json: format 2.0 was written by a newer toolkit; this one reads 1.x',
    ],
    [
      'a bad version',
      text({ formatVersion: 'one' }),
      `b/unet.json: 'formatVersion' must look like 1.0`,
    ],
    [
      'a bad threshold',
      text({ threshold: 1.5 }),
      `b/unet.json: 'threshold' must be a probability in (0, 1), got 1.5`,
    ],
    [
      'a zero width',
      text({ input: { height: 8, width: 0, channels: 1 } }),
      `'input.width' must be a positive integer, got 0`,
    ],
    ['no classes', text({ classes: [] }), `'classes' must be a non-empty list of class names`],
    [
      'overlap >= tile',
      text({ tiling: { tileSize: 8, overlap: 8 } }),
      `'tiling.overlap' must be smaller than the tile size 8`,
    ],
    [
      'non-numeric metrics',
      text({ metrics: { dice: 'good' } }),
      `'metrics' must be null or an object of numbers`,
    ],
  ])('rejects %s', (_name, input, message) => {
    expect(() => parseBundleManifest(input, 'b/unet.json')).toThrow(BundleError);
    expect(() => parseBundleManifest(input, 'b/unet.json')).toThrow(message);
  });
});

function ramp(width: number, height: number): Float32Array {
  return Float32Array.from({ length: width * height }, (_, i) => (i % 97) / 400);
}

describe('predictWithBundle', () => {
  it('applies the 16-bit stretch, tiling and threshold of the manifest', async () => {
    const model = onesConv(8, 'sigmoid');
    const image = { data: ramp(20, 13), width: 20, height: 13, channels: 1 };
    const before = tf.memory().numTensors;
    const { probability, mask } = await predictWithBundle(model, valid, image, { bitDepth: 16 });
    const stretched = normalizePercentiles(image, { low: 2, high: 98, nodata: 0 });
    const expected = await predictProbability(model, stretched, {
      tile: { tileSize: 8, overlap: 2 },
    });
    expect(probability.data).toEqual(expected.data);
    expect(mask.data).toEqual(expected.data.map((p) => (p > 0.4 ? 1 : 0)));
    // 8-bit images are not stretched.
    const eight = await predictWithBundle(model, valid, image);
    const unstretched = await predictProbability(model, image, {
      tile: { tileSize: 8, overlap: 2 },
    });
    expect(eight.probability.data).toEqual(unstretched.data);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('reports tiles as they are done and refuses channel counts the model cannot take', async () => {
    const model = onesConv(8, 'sigmoid');
    const steps: string[] = [];
    const image = { data: ramp(30, 30), width: 30, height: 30, channels: 1 };
    await predictWithBundle(model, valid, image, {
      onProgress: (done, total) => {
        steps.push(`${done}/${total}`);
      },
    });
    // 30x30 in 8-pixel tiles on an 8-pixel grid: 4x4 tiles, 4 per batch.
    expect(steps).toEqual(['4/16', '8/16', '12/16', '16/16']);
    const two = { data: new Float32Array(8 * 8 * 2), width: 8, height: 8, channels: 2 };
    await expect(predictWithBundle(model, valid, two)).rejects.toThrow(
      'the model takes 1-channel images; this image has 2 channels',
    );
    model.dispose();
  });
});

describe('readBundle', () => {
  const files = (entries: Record<string, string | Uint8Array>): BundleSource => ({
    label: 'mem',
    read: async (name) => {
      const v = entries[name];
      if (v === undefined) return null;
      const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v;
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
  });
  const modelJson = JSON.stringify({
    modelTopology: {},
    weightsManifest: [{ paths: ['./weights.bin'], weights: [] }],
  });

  it('names the missing or broken file', async () => {
    await expect(readBundle(files({}))).rejects.toThrow('mem/unet.json: missing: not a bundle');
    await expect(readBundle(files({ 'unet.json': '{' }))).rejects.toThrow(
      'mem/unet.json: malformed JSON',
    );
    const manifest = JSON.stringify(valid);
    await expect(readBundle(files({ 'unet.json': manifest }))).rejects.toThrow(
      'mem/model.json: missing (named by unet.json)',
    );
    await expect(
      readBundle(files({ 'unet.json': manifest, 'model.json': '{"weightsManifest": []}' })),
    ).rejects.toThrow('mem/model.json: not a tfjs layers model');
    await expect(
      readBundle(files({ 'unet.json': manifest, 'model.json': modelJson })),
    ).rejects.toThrow('mem/weights.bin: missing: the bundle has no weights (listed in model.json)');
    const ok = await readBundle(
      files({ 'unet.json': manifest, 'model.json': modelJson, 'weights.bin': new Uint8Array(4) }),
    );
    expect(ok.manifest).toEqual(valid);
    expect((ok.artifacts.weightData as ArrayBuffer).byteLength).toBe(4);
  });
});
