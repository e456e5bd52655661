import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildUnet, summarizeUnet } from '@unet/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_UNETS, seededImages, useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

const dir = mkdtempSync(join(tmpdir(), 'unet-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = SMALL_UNETS;

describe('model.save / tf.loadLayersModel', () => {
  it.each(cases)('%s: loads back with identical predictions', async (label, options) => {
    const model = buildUnet(options);
    const [h, w, c] = model.inputs[0]!.shape.slice(1) as number[];
    const [oh, ow, classes] = model.outputs[0]!.shape.slice(1) as number[];
    const x = seededImages([2, h!, w!, c!], 7);
    // One training step first, so batch-norm moving statistics are not their initial values.
    const target =
      classes === 1
        ? tf.zeros([2, oh!, ow!, 1])
        : tf.oneHot(tf.zeros([2, oh!, ow!], 'int32'), classes!).asType('float32');
    model.compile({
      optimizer: 'sgd',
      loss: classes === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    });
    await model.trainOnBatch(x, target);

    const path = join(dir, label.split(' ')[0]!.replace(/\W/g, ''));
    await model.save(`file://${path}`);
    const topology = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
    expect(topology.format).toBe('layers-model');

    const loaded = await tf.loadLayersModel(`file://${path}/model.json`);
    const expected = model.predict(x) as tf.Tensor;
    const actual = loaded.predict(x) as tf.Tensor;
    expect(actual.shape).toEqual(expected.shape);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(summarizeUnet(loaded)).toEqual(summarizeUnet(model));

    tf.dispose([x, target, expected, actual]);
    model.dispose();
    loaded.dispose();
  });
});
