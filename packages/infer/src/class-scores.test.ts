// Relative imports: these files must stand alone (browser-safe, headed for @unet/infer).

import { describe, expect, it } from 'vitest';
import { argmaxClasses, classIndicesToRgb, defaultClassColours } from './class-images.js';
import { ConfusionMatrix } from './class-scores.js';
import { confusionCsv, perClassCsv } from './class-scores-csv.js';

/**
 * The hand-computed case: 4 classes (class 3 appears nowhere), 255 = void.
 * Counted (truth, prediction) pairs: image 1 (0,0) (0,1) (1,1) (1,1) (2,0), its void pixel
 * predicted 2 is skipped; image 2 (0,0) (1,1) (1,0). Rows = truth:
 *   t0: 2 1 0 0 | t1: 1 3 0 0 | t2: 1 0 0 0 | t3: 0 0 0 0      (8 pixels, 5 correct)
 * Class 0: TP 2, truth 3, predicted 4, union 5 -> IoU 2/5, Dice 4/7, recall 2/3.
 * Class 1: TP 3, truth 4, predicted 4, union 5 -> IoU 3/5, Dice 6/8, recall 3/4.
 * Class 2: TP 0, truth 1, predicted 0 (the void pixel does not count) -> IoU 0, Dice 0, recall 0.
 * Class 3: absent from truth and prediction -> no IoU, left out of the mean.
 * Mean IoU = (2/5 + 3/5 + 0) / 3 = 1/3; pixel accuracy 5/8.
 */
function handCase(): ConfusionMatrix {
  return new ConfusionMatrix(4, { ignoreIndex: 255 })
    .add([0, 0, 1, 1, 2, 255], new Uint8Array([0, 1, 1, 1, 0, 2]))
    .add(new Uint8Array([0, 1, 1, 255]), [0, 1, 0, 1]);
}

describe('ConfusionMatrix', () => {
  it('accumulates a set and gives the hand-computed scores', () => {
    const matrix = handCase();
    expect(Array.from(matrix.counts)).toEqual([2, 1, 0, 0, 1, 3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(matrix.pixels).toBe(8);
    const summary = matrix.summary();
    const [c0, c1, c2, c3] = summary.perClass;
    expect(c0).toEqual({
      index: 0,
      truePixels: 3,
      predictedPixels: 4,
      intersection: 2,
      iou: 2 / 5,
      dice: 4 / 7,
      recall: 2 / 3,
    });
    expect([c1!.iou, c1!.dice, c1!.recall]).toEqual([3 / 5, 6 / 8, 3 / 4]);
    expect([c2!.predictedPixels, c2!.iou, c2!.dice, c2!.recall]).toEqual([0, 0, 0, 0]);
    expect([c3!.iou, c3!.dice, c3!.recall]).toEqual([null, null, null]);
    expect(matrix.meanIoU()).toBeCloseTo(1 / 3, 12);
    expect(summary.meanIoU).toBeCloseTo(1 / 3, 12);
    expect(summary.meanDice).toBeCloseTo((4 / 7 + 6 / 8) / 3, 12);
    expect(summary.meanRecall).toBeCloseTo((2 / 3 + 3 / 4) / 3, 12);
    expect(summary.pixelAccuracy).toBe(5 / 8);
  });

  it('adding images one by one equals adding them at once, and merging equals adding', () => {
    const whole = new ConfusionMatrix(4, { ignoreIndex: 255 }).add(
      [0, 0, 1, 1, 2, 255, 0, 1, 1, 255],
      [0, 1, 1, 1, 0, 2, 0, 1, 0, 1],
    );
    expect(Array.from(whole.counts)).toEqual(Array.from(handCase().counts));
    const merged = new ConfusionMatrix(4, { ignoreIndex: 255 })
      .add([0, 0, 1, 1, 2, 255], [0, 1, 1, 1, 0, 2])
      .merge(new ConfusionMatrix(4, { ignoreIndex: 255 }).add([0, 1, 1, 255], [0, 1, 0, 1]));
    expect(merged.summary()).toEqual(handCase().summary());
  });

  it('binary masks are the 2-class case', () => {
    const matrix = new ConfusionMatrix(2).add([1, 1, 0, 0, 1], [1, 0, 0, 1, 1]);
    const [background, foreground] = matrix.perClass();
    expect(foreground!.iou).toBe(2 / 4); // TP 2, FP 1, FN 1
    expect(foreground!.dice).toBe(4 / 6);
    expect(background!.iou).toBe(1 / 3);
  });

  it('has no scores before any pixel is counted', () => {
    const summary = new ConfusionMatrix(3, { ignoreIndex: 3 }).add([3, 3], [0, 1]).summary();
    expect(summary).toMatchObject({
      meanIoU: null,
      meanDice: null,
      pixelAccuracy: null,
      pixels: 0,
    });
  });

  it('rejects unknown values, naming the pixel and value, and counts nothing then', () => {
    const matrix = new ConfusionMatrix(3, { ignoreIndex: 11 }).add([0], [0]);
    expect(() => matrix.add([0, 1, 7], [0, 1, 2])).toThrow(
      'truth pixel 2 is 7, not a class 0..2 nor the ignore index 11',
    );
    expect(() => matrix.add([0, 1], [0, 3])).toThrow('predicted pixel 1 is 3, not a class 0..2');
    expect(() => matrix.add([0, 1], [0])).toThrow(/truth has 2 pixels but prediction has 1/);
    expect(matrix.pixels).toBe(1);
    expect(() => new ConfusionMatrix(3, { ignoreIndex: 2 })).toThrow(
      /ignoreIndex must be .* >= numClasses/,
    );
    expect(() => new ConfusionMatrix(1)).toThrow(/numClasses must be an integer >= 2/);
    expect(() => matrix.merge(new ConfusionMatrix(3))).toThrow(/different classes or ignore index/);
  });
});

describe('per_class.csv and confusion.csv', () => {
  const names = ['Sky', 'Road, paved', 'Car "x"', 'Tree'];

  it('writes one row per class, empty cells for undefined ratios', () => {
    expect(perClassCsv(handCase(), names)).toBe(
      [
        'index,name,true_pixels,predicted_pixels,intersection,iou,dice,recall',
        '0,Sky,3,4,2,0.400000,0.571429,0.666667',
        '1,"Road, paved",4,4,3,0.600000,0.750000,0.750000',
        '2,"Car ""x""",1,0,0,0.000000,0.000000,0.000000',
        '3,Tree,0,0,0,,,',
        '',
      ].join('\n'),
    );
  });

  it('writes the matrix with truth rows and predicted columns, indices without names', () => {
    expect(confusionCsv(handCase())).toBe(
      ['truth\\predicted,0,1,2,3', '0,2,1,0,0', '1,1,3,0,0', '2,1,0,0,0', '3,0,0,0,0', ''].join(
        '\n',
      ),
    );
    expect(() => confusionCsv(handCase(), ['a'])).toThrow(/got 1 names for a 4-class/);
  });
});

describe('argmax and colours', () => {
  it('picks the most likely class per pixel, the lower index on ties', () => {
    const probabilities = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.2, 0.3, 0.5]);
    expect(Array.from(argmaxClasses(probabilities, 3))).toEqual([1, 0, 2]);
    expect(() => argmaxClasses(probabilities, 4)).toThrow(/not a whole number of pixels/);
  });

  it('one channel is the binary case: class 1 above the threshold', () => {
    expect(Array.from(argmaxClasses([0.2, 0.5, 0.51, 0.9], 1))).toEqual([0, 0, 1, 1]);
    expect(Array.from(argmaxClasses([0.2, 0.5, 0.51, 0.9], 1, 0.3))).toEqual([0, 1, 1, 1]);
  });

  it('colours class indices, ignore pixels in the ignore colour, RGB or RGBA', () => {
    const colours = [
      [128, 128, 128],
      [128, 0, 0],
    ] as const;
    const rgb = classIndicesToRgb([1, 0, 11], colours, { ignoreIndex: 11 });
    expect(Array.from(rgb)).toEqual([128, 0, 0, 128, 128, 128, 0, 0, 0]);
    const rgba = classIndicesToRgb([0, 11], colours, {
      ignoreIndex: 11,
      ignoreColour: [1, 2, 3],
      channels: 4,
    });
    expect(Array.from(rgba)).toEqual([128, 128, 128, 255, 1, 2, 3, 255]);
    expect(() => classIndicesToRgb([0, 2], colours)).toThrow(
      /pixel 1 holds class 2, which has no colour/,
    );
  });

  it('default colours are the PASCAL VOC colour map, all distinct', () => {
    const colours = defaultClassColours(256);
    expect(colours.slice(0, 4)).toEqual([
      [0, 0, 0],
      [128, 0, 0],
      [0, 128, 0],
      [128, 128, 0],
    ]);
    expect(colours[15]).toEqual([192, 128, 128]); // VOC "person"
    expect(new Set(colours.map((c) => c.join(','))).size).toBe(256);
  });
});

describe('browser safety', () => {
  it('the class score and image files import nothing but each other (no Node built-ins, no tfjs)', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['class-scores.ts', 'class-scores-csv.ts', 'class-images.ts']) {
      const text = await readFile(new URL(`./${file}`, import.meta.url), 'utf8');
      const imports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      for (const source of imports) expect(source, file).toMatch(/^\.\/class-[a-z-]+\.js$/);
    }
  });
});
