// @unet/infer's instance splitting on the real DSB2018 sample (read with @unet/data, hence here).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readBinaryMask } from '@unet/data';
import {
  instanceScore,
  instanceTargets,
  type LabelImage,
  labelComponents,
  splitInstances,
} from '@unet/infer';
import { describe, expect, it } from 'vitest';

const stage1 = path.resolve(import.meta.dirname, '../../../../shared/data/dsb2018/stage1_train');
const haveDsb = existsSync(stage1);
if (!haveDsb) console.warn(`skipping the DSB2018 tests: ${stage1} is absent`);

/** Samples whose touching nuclei connected components merge (small images, quick to read). */
const DSB_SAMPLES = [
  '00071198d059ba7f5914a526d124d28e6d010c92466da21d4a04cd5413362552',
  '00ae65c1c6631ae6f2be1a449902976e6eb8483bf6b0740d00530220832c6d3e',
  '356d9903d16074f152fe8f2f0ef555d9959c53264228eae7373cad5cf35d4e85',
  '45f059cf21d85ecfce0eb93260516f1e2443d210e9a52f9ae2271d604aa3fcc5',
  '4a424e0cb845cf6fd4d9fe62875552c7b89a4e0276cf16ebf46babe4656a794e',
  '5d2c98fd6fda3c7d739461c3b3d4a0c7f8456121a14519dc5955a1775227b053',
  'a31deaf0ac279d5f34fb2eca80cc2abce6ef30bd64e7aca40efe4b2ba8e9ad3d',
  'cbff60361ded0570e5d50429a1aa51d81471819bc9b38359f03cfef76de0038c',
];

async function readInstances(id: string): Promise<LabelImage> {
  const dir = path.join(stage1, id, 'masks');
  const files = readdirSync(dir).sort();
  let labels: Int32Array | undefined;
  let size = { width: 0, height: 0 };
  for (const [k, file] of files.entries()) {
    const mask = await readBinaryMask(path.join(dir, file));
    size = { width: mask.width, height: mask.height };
    labels ??= new Int32Array(mask.width * mask.height);
    mask.data.forEach((v, i) => {
      if (v) labels![i] = k + 1;
    });
  }
  return { labels: labels!, ...size, count: files.length };
}

describe.runIf(haveDsb)('DSB2018 stage1 samples: union of the true nuclei, split again', () => {
  it('watershed splitting scores a higher instance mAP than connected components', async () => {
    const rows: Record<string, number | string>[] = [];
    for (const id of DSB_SAMPLES) {
      const truth = await readInstances(id);
      const { width, height } = truth;
      const union = Float32Array.from(truth.labels, (l) => (l > 0 ? 1 : 0));
      const cc = instanceScore(truth, labelComponents(union, width, height));
      const split = instanceScore(truth, splitInstances(union, width, height));
      const target = instanceTargets(truth.labels, width, height, { boundaryWidth: 1 });
      // The target one-hot (background, interior, boundary): a perfect network's output.
      const perfect = Float32Array.from({ length: target.length * 3 }, (_, k) =>
        target[Math.floor(k / 3)] === k % 3 ? 1 : 0,
      );
      const fromTarget = instanceScore(
        truth,
        splitInstances(perfect, width, height, { channels: 3 }),
      );
      rows.push({
        id: id.slice(0, 8),
        nuclei: truth.count,
        ccCount: cc.predictedCount,
        splitCount: split.predictedCount,
        ccMAP: +cc.averagePrecision.toFixed(3),
        splitMAP: +split.averagePrecision.toFixed(3),
        targetMAP: +fromTarget.averagePrecision.toFixed(3),
      });
      expect(split.averagePrecision).toBeGreaterThan(cc.averagePrecision);
    }
    console.table(rows);
    const mean = (key: 'ccMAP' | 'splitMAP' | 'targetMAP') =>
      rows.reduce((s, r) => s + Number(r[key]), 0) / rows.length;
    console.log(
      `mean mAP: connected components ${mean('ccMAP').toFixed(3)}, distance watershed ${mean('splitMAP').toFixed(3)}, 3-class target round trip ${mean('targetMAP').toFixed(3)}`,
    );
    expect(mean('splitMAP')).toBeGreaterThan(mean('ccMAP') + 0.15);
    // A network that learnt the 3-class target perfectly would lose almost nothing.
    expect(mean('targetMAP')).toBeGreaterThan(0.97);
  });
});
