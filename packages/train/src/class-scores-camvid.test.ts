import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAMVID_CLASSES, readClassMask } from '@unet/data';
import { ConfusionMatrix, confusionCsv } from '@unet/infer';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const camvid = path.resolve(here, '../../../../shared/data/camvid');
const haveCamvid = existsSync(camvid);
if (!haveCamvid) console.warn(`[@unet/train tests] ${camvid} not found: skipping CamVid scores`);

interface Reference {
  files: string[];
  shift: number;
  voidPredictedAs: number;
  matrix: number[][];
  iou: (number | null)[];
  meanIoU: number;
  pixelAccuracy: number;
}

describe.runIf(haveCamvid)('ConfusionMatrix on CamVid val annotations (numpy reference)', () => {
  const reference: Reference = JSON.parse(
    readFileSync(path.resolve(here, '../reference/class-scores-camvid.json'), 'utf8'),
  );

  it('matches numpy: matrix, per-class IoU, mean IoU and pixel accuracy', async () => {
    const matrix = new ConfusionMatrix(11, { ignoreIndex: 11 });
    for (const id of reference.files) {
      const truth = await readClassMask(path.join(camvid, 'valannot', `${id}.png`), CAMVID_CLASSES);
      // The same "prediction" as the reference: each row rolled right by `shift`, void -> 3.
      const prediction = new Uint8Array(truth.data.length);
      for (let y = 0; y < truth.height; y++) {
        for (let x = 0; x < truth.width; x++) {
          const from =
            truth.data[y * truth.width + ((x - reference.shift + truth.width) % truth.width)]!;
          prediction[y * truth.width + x] = from === 11 ? reference.voidPredictedAs : from;
        }
      }
      matrix.add(truth.data, prediction);
    }
    const rows = Array.from({ length: 11 }, (_, t) =>
      Array.from({ length: 11 }, (_, p) => matrix.count(t, p)),
    );
    expect(rows).toEqual(reference.matrix);
    const summary = matrix.summary();
    summary.perClass.forEach((score, c) => {
      expect(score.iou, CAMVID_CLASSES.classes[c]!.name).toBeCloseTo(reference.iou[c]!, 12);
    });
    expect(summary.meanIoU).toBeCloseTo(reference.meanIoU, 12);
    expect(summary.pixelAccuracy).toBeCloseTo(reference.pixelAccuracy, 12);
    const csv = confusionCsv(
      matrix,
      CAMVID_CLASSES.classes.map((c) => c.name),
    );
    expect(csv.split('\n')[4]).toBe(`Road,${reference.matrix[3]!.join(',')}`);
  });
});
