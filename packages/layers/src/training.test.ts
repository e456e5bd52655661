import * as tf from '@tensorflow/tfjs';
import { buildUnet, type UnetOptions } from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededImages, useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

// [case, steps, options]. Small inputs keep the 31M-parameter 'paper' preset to about a second
// per step; it learns fastest, so it gets the fewest steps.
const cases: [string, number, UnetOptions][] = [
  ['dsb2018', 10, { preset: 'dsb2018', inputShape: [32, 32, 3] }],
  ['satellite', 10, { preset: 'satellite', inputShape: [32, 32, 3] }],
  ['paper', 4, { preset: 'paper', inputShape: [32, 32, 3] }],
  [
    "'valid' + bilinear, 2 classes",
    8,
    {
      inputShape: [60, 60, 3],
      depth: 2,
      filters: 8,
      padding: 'valid',
      upsampling: 'bilinear',
      numClasses: 2,
      batchNorm: true,
    },
  ],
];

/** Mask of pixels brighter than 0.5 (channel mean), centre-cropped to the output size. */
function brightPixelMask(x: tf.Tensor4D, outputShape: number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const [oh, ow, classes] = outputShape as [number, number, number];
    const [, h, w] = x.shape;
    const top = (h - oh) / 2;
    const left = (w - ow) / 2;
    const bright = x.mean(-1, true).greater(0.5).asType('float32');
    const mask = bright.slice([0, top, left, 0], [-1, oh, ow, 1]) as tf.Tensor4D;
    return classes === 1
      ? mask
      : (tf.concat([tf.onesLike(mask).sub(mask), mask], -1) as tf.Tensor4D);
  });
}

describe('training', () => {
  it.each(cases)('%s: loss goes down over %i steps on a tiny batch', async (_, steps, options) => {
    const before = tf.memory().numTensors;
    const model = buildUnet(options);
    const [h, w, c] = model.inputs[0]!.shape.slice(1) as number[];
    const outputShape = model.outputs[0]!.shape.slice(1) as number[];
    const x = seededImages([2, h!, w!, c!], 11);
    const y = brightPixelMask(x, outputShape);
    const optimizer = tf.train.adam(1e-3);
    model.compile({
      optimizer,
      loss: outputShape[2] === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    });
    const weightBefore = model.getLayer('enc1_conv1').getWeights()[0]!.dataSync().slice();

    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(x, y)) as number);

    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.95);
    const weightAfter = model.getLayer('enc1_conv1').getWeights()[0]!.dataSync();
    expect(weightAfter).not.toEqual(weightBefore);

    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
