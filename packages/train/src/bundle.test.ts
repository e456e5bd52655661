import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeImage } from '@unet/data';
import { predictProbability, predictWithBundle, type RasterImage } from '@unet/infer';
import { initBackend } from '@unet/runtime';
import {
  exportBundle,
  loadModel,
  predict,
  readBundleManifest,
  requireBundleManifest,
  writeCheckpointDir,
} from '@unet/train';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFiles } from './model-io.js';
import { quiet, tempDir, tinyModel } from './test-helpers.js';

const DSB = path.resolve(import.meta.dirname, '../../../../shared/data/dsb2018/stage1_train');

let tmp: string;
let modelDir: string;
let image: RasterImage;

beforeAll(async () => {
  await initBackend('tensorflow', quiet);
  tmp = await tempDir('bundle');
  modelDir = path.join(tmp, 'run', 'model');
  const model = tinyModel(3, 3, 32);
  await writeCheckpointDir(modelDir, await modelFiles(model));
  model.dispose();
  const id = (await fs.readdir(DSB)).sort()[0]!;
  image = await decodeImage(path.join(DSB, id, 'images', `${id}.png`), { channels: 3 });
});

describe('exportBundle', () => {
  it('writes model, weights and a manifest with the recipe settings and scores', async () => {
    const metrics = path.join(tmp, 'metrics.json');
    await fs.writeFile(metrics, JSON.stringify({ dice: 0.81, iou: 0.7, model: '/x', images: 5 }));
    const out = path.join(tmp, 'bundle');
    const manifest = await exportBundle(modelDir, out, {
      recipe: { name: 'dsb2018', program: 'unet-dsb2018' },
      threshold: 0.45,
      versions: { '@unet/train': '0.1.0' },
      metricsFile: metrics,
    });
    expect((await fs.readdir(out)).sort()).toEqual(['model.json', 'unet.json', 'weights.bin']);
    expect(await readBundleManifest(out)).toEqual(manifest);
    expect(manifest).toMatchObject({
      formatVersion: '1.0',
      input: { height: 32, width: 32, channels: 3 },
      normalization: { scale: 'unit', percentile16: null },
      threshold: 0.45,
      tiling: null,
      classes: ['foreground'],
      metrics: { dice: 0.81, iou: 0.7, images: 5 },
    });
    expect(manifest.versions['@tensorflow/tfjs']).toMatch(/^4\./);
    expect(await readBundleManifest(modelDir)).toBeNull();
  });

  it('predicts from the bundle the masks of the model folder (resized and tiled)', async () => {
    const folderModel = await loadModel(modelDir);
    for (const tiling of [null, { overlap: 8 }]) {
      const tile = tiling ? { tileSize: 32, overlap: 8 } : false;
      // An untrained model's probabilities sit on one side of 0.5: threshold at their median,
      // so the masks compared have both classes (any two empty masks would be equal).
      const probability = await predictProbability(folderModel, image, { tile });
      const sorted = Float32Array.from(probability.data).sort();
      const threshold = sorted[Math.floor(sorted.length / 2)]!;
      const out = path.join(tmp, tiling ? 'tiled' : 'resized');
      await exportBundle(modelDir, out, {
        recipe: { name: 'dsb2018', program: 'unet-dsb2018' },
        tiling,
        threshold,
      });
      const bundleModel = await loadModel(out);
      const manifest = await requireBundleManifest(out);
      expect(manifest.tiling).toEqual(tiling ? { tileSize: 32, overlap: 8 } : null);
      const fromBundle = await predictWithBundle(bundleModel, manifest, image);
      const [fromFolder] = await predict({
        model: folderModel,
        inputs: [{ name: 'x', image }],
        tile,
        threshold,
      });
      expect(fromBundle.mask.width).toBe(image.width);
      expect(fromBundle.mask.data).toEqual(fromFolder!.mask!.data);
      const foreground =
        fromBundle.mask.data.reduce((a, v) => a + v, 0) / image.width / image.height;
      expect(foreground).toBeGreaterThan(0.2);
      expect(foreground).toBeLessThan(0.8);
      bundleModel.dispose();
    }
    folderModel.dispose();
  });

  it('names the file when the model folder or metrics are unusable', async () => {
    await expect(
      exportBundle(path.join(tmp, 'none'), path.join(tmp, 'b1'), recipe()),
    ).rejects.toThrow(`${path.join(tmp, 'none', 'model.json')}: missing`);
    const broken = path.join(tmp, 'broken');
    await fs.cp(modelDir, broken, { recursive: true });
    await fs.rm(path.join(broken, 'weights.bin'));
    await expect(exportBundle(broken, path.join(tmp, 'b2'), recipe())).rejects.toThrow(
      `${path.join(broken, 'weights.bin')}: missing (listed in`,
    );
    const metrics = path.join(tmp, 'bad-metrics.json');
    await fs.writeFile(metrics, '{"dice": ');
    await expect(
      exportBundle(modelDir, path.join(tmp, 'b3'), { ...recipe(), metricsFile: metrics }),
    ).rejects.toThrow(`${metrics}: malformed JSON`);
  });
});

function recipe() {
  return { recipe: { name: 'dsb2018', program: 'unet-dsb2018' } };
}

describe('bundle manifest errors', () => {
  async function bundleWith(text: string | null): Promise<string> {
    const dir = await fs.mkdtemp(path.join(tmp, 'm-'));
    await fs.cp(modelDir, dir, { recursive: true });
    if (text !== null) await fs.writeFile(path.join(dir, 'unet.json'), text);
    return dir;
  }

  it('fails naming unet.json when it is missing, malformed or of a newer major version', async () => {
    const missing = await bundleWith(null);
    await expect(requireBundleManifest(missing)).rejects.toThrow(
      `${path.join(missing, 'unet.json')}: missing: not a bundle folder`,
    );
    const malformed = await bundleWith('{"format": "unet-bundle",');
    await expect(readBundleManifest(malformed)).rejects.toThrow(
      `${path.join(malformed, 'unet.json')}: malformed JSON`,
    );
    const good = await exportBundle(modelDir, path.join(tmp, 'v'), recipe());
    const newer = await bundleWith(JSON.stringify({ ...good, formatVersion: '2.0' }));
    await expect(readBundleManifest(newer)).rejects.toThrow(
      `${path.join(newer, 'unet.json')}: format 2.0 was written by a newer toolkit; this one reads 1.x: upgrade @unet/infer`,
    );
  });
});
