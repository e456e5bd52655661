import type * as tf from '@tensorflow/tfjs';
import { buildUnet, summarizeUnet, type UnetOptions } from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KerasReferenceModel, readKerasReference, useNativeBackend } from './test-support.js';

// Compares the presets with reference/keras-models.json, written by reference/keras_models.py
// from the articles' Keras code (TensorFlow 2.21).
beforeAll(useNativeBackend);

const reference = readKerasReference();

const cases: [keyof typeof reference.models, UnetOptions][] = [
  ['dsb2018', { preset: 'dsb2018' }],
  ['satellite', { preset: 'satellite' }],
  ['paper', { preset: 'paper' }],
  ['paper_valid', { preset: 'paper', padding: 'valid' }],
];

/** Keras class names as ours: the article's ReLU() layers are Activation layers here; the
 * satellite article's x / 255 Lambda is left to the data pipeline. */
function comparableClassCounts(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(counts)) {
    if (name === 'Lambda') continue;
    const ours = name === 'ReLU' ? 'Activation' : name;
    out[ours] = (out[ours] ?? 0) + n;
  }
  return out;
}

function classCounts(model: tf.LayersModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const layer of model.layers)
    out[layer.getClassName()] = (out[layer.getClassName()] ?? 0) + 1;
  return out;
}

describe.each(cases)('%s against Keras', (name, options) => {
  const keras: KerasReferenceModel = reference.models[name];

  it('has the same parameter counts, layer kinds and weight shapes, layer by layer', () => {
    const model = buildUnet({ ...options, inputShape: keras.inputShape });
    const summary = summarizeUnet(model);
    expect(summary.totalParams).toBe(keras.totalParams);
    expect(summary.trainableParams).toBe(keras.trainableParams);
    expect(summary.nonTrainableParams).toBe(keras.nonTrainableParams);
    expect(classCounts(model)).toEqual(comparableClassCounts(keras.layerClassCounts));
    const ours = model.layers
      .filter((layer) => layer.weights.length > 0)
      .map((layer) => [layer.getClassName(), layer.weights.map((w) => w.shape)]);
    expect(ours).toEqual(keras.layersWithWeights.map((l) => [l.className, l.weightShapes]));
    model.dispose();
  });

  it('has the per-level shapes of the Keras model', () => {
    const model = buildUnet({ ...options, inputShape: keras.inputShape });
    const { levels } = summarizeUnet(model);
    const of = (role: string) => levels.filter((l) => l.role === role);
    expect(of('encoder').map((l) => l.skipShape)).toEqual(keras.levels.skips);
    expect(of('encoder').map((l) => l.outputShape)).toEqual(keras.levels.pooled);
    expect(of('bottleneck')[0]!.outputShape).toEqual(keras.levels.bottleneck);
    expect(of('decoder').map((l) => l.outputShape)).toEqual(keras.levels.decoded);
    expect(of('head')[0]!.outputShape).toEqual(keras.levels.output);
    model.dispose();
  });

  it('has the output shape of the Keras model at every input size recorded', () => {
    for (const [size, outputShape] of Object.entries(keras.outputShapes)) {
      const s = Number(size);
      const model = buildUnet({ ...options, inputShape: [s, s, keras.inputShape[2]] });
      expect(model.outputs[0]!.shape.slice(1)).toEqual(outputShape);
      model.dispose();
    }
  });
});

it('the reference was written by TensorFlow 2.21', () => {
  expect(reference.tensorflow).toMatch(/^2\.21\./);
});
