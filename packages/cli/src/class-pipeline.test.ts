/**
 * The phase-1 pieces of issue 20 joined up on real data, small and short: CamVid masks of class
 * indices -> tf.data batches -> a tiny 11-class U-Net trained a few steps with the weighted,
 * void-ignoring sparse cross-entropy -> argmax -> confusion matrix. Not a training test (the
 * pipeline with K classes is phase 2); it fails if the pieces do not fit together.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { medianFrequencyWeights, readCamvid, toTfDataset } from '@unet/data';
import { argmaxClasses, ConfusionMatrix, perClassCsv } from '@unet/infer';
import { buildUnet } from '@unet/layers';
import { compileWithNamedLosses, registerLoss, sparseCategoricalCrossentropy } from '@unet/losses';
import { initBackend } from '@unet/runtime';
import { beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const camvid = path.resolve(here, '../../../../shared/data/camvid');
const haveCamvid = existsSync(camvid);
if (!haveCamvid)
  console.warn(`[@unet/train tests] ${camvid} not found: skipping the class pipeline`);

beforeAll(async () => {
  await initBackend();
});

describe.runIf(haveCamvid)('CamVid class masks through a tiny 11-class U-Net', () => {
  it('trains with the weighted void-ignoring loss and scores with the confusion matrix', async () => {
    const { samples } = await readCamvid(camvid, {
      subset: 'val',
      size: { width: 64, height: 48 },
      cache: false,
    });
    const train = samples.slice(0, 4);
    const classWeights = medianFrequencyWeights(
      train.map((s) => s.mask!),
      11,
      11,
    );
    const loss = registerLoss(
      'camvidWeightedCce',
      (t, p) => sparseCategoricalCrossentropy(t, p, { ignoreIndex: 11, classWeights }),
      { override: true },
    );
    const model = buildUnet({
      inputShape: [48, 64, 3],
      depth: 2,
      filters: 8,
      numClasses: 11,
      dropout: 0,
      // Seeded: an unlucky random draw could make four epochs look like no progress.
      seed: 11,
    });
    compileWithNamedLosses(model, { optimizer: tf.train.adam(0.01), loss });
    const dataset = toTfDataset(train, { batchSize: 2, shuffle: false, augment: true, seed: 3 });
    const history = await model.fitDataset(dataset, { epochs: 6, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!, losses.join(' ')).toBeLessThan(0.95 * losses[0]!);

    const matrix = new ConfusionMatrix(11, { ignoreIndex: 11 });
    for (const sample of samples.slice(4, 6)) {
      const probabilities = tf.tidy(() =>
        (model.predict(tf.tensor(sample.image.data, [1, 48, 64, 3])) as tf.Tensor).dataSync(),
      );
      matrix.add(sample.mask!.data, argmaxClasses(probabilities, 11));
    }
    const summary = matrix.summary();
    const voidPixels = samples
      .slice(4, 6)
      .reduce((n, s) => n + s.mask!.data.filter((v) => v === 11).length, 0);
    expect(summary.pixels).toBe(2 * 48 * 64 - voidPixels);
    expect(summary.meanIoU).toBeGreaterThanOrEqual(0);
    expect(summary.meanIoU).toBeLessThanOrEqual(1);
    expect(perClassCsv(matrix).trim().split('\n')).toHaveLength(12);
    model.dispose();
  });
});
