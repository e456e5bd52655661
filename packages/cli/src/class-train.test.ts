/** `--class-weights`: the weights `train` gives the multi-class loss, against a hand computation. */
import type { ClassList, Sample } from '@unet/data';
import { describe, expect, it } from 'vitest';
import { prepareClassLoss } from './class-train.js';
import type { SegmentationRecipe } from './recipe.js';

const recipe = {
  program: 'unet-weights-test',
  loss: 'sparseCategoricalCrossentropy',
} as SegmentationRecipe;
const list: ClassList = {
  classes: [{ name: 'road' }, { name: 'pole' }, { name: 'sky' }],
  ignoreIndex: 9,
};
const sample = (id: string, values: number[]): Sample => ({
  id,
  files: [`${id}.png`],
  image: { width: 4, height: 1, channels: 1, data: new Float32Array(4) },
  mask: { width: 4, height: 1, channels: 1, data: new Float32Array(values) },
  originalSize: { width: 4, height: 1 },
});
// Labelled pixels: A 3, B 4 (the 9 is void). Frequencies: road 3/7 (in both), pole 1/3 (A only),
// sky 3/4 (B only); their median is 3/7, so median-frequency weights are 1, 9/7 and 4/7.
const samples = [sample('A', [0, 0, 1, 9]), sample('B', [0, 2, 2, 2])];
const medianFrequency = [1, 9 / 7, 4 / 7];

describe('prepareClassLoss', () => {
  it.each([
    ['none', null, null],
    ['auto', medianFrequency, 'median frequency'],
    ['sqrt', medianFrequency.map(Math.sqrt), 'square root of median frequency'],
  ] as const)('--class-weights %s', async (weighting, expected, logged) => {
    const lines: string[] = [];
    const { loss, classWeights } = await prepareClassLoss(recipe, list, weighting, samples, (l) =>
      lines.push(l),
    );
    expect(loss).toBe('sparseCategoricalCrossentropy_unet_weights_test');
    if (expected === null) {
      expect(classWeights).toBeNull();
      expect(lines).toEqual([]);
      return;
    }
    expect(classWeights).toHaveLength(3);
    for (const [c, w] of classWeights!.entries()) expect(w).toBeCloseTo(expected[c]!, 12);
    expect(lines).toEqual([
      `class weights (${logged}): road ${expected[0]!.toFixed(3)}, pole ${expected[1]!.toFixed(3)}, sky ${expected[2]!.toFixed(3)}`,
    ]);
  });
});
