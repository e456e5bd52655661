// Shared by the tests only (not exported from the package).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-node';
import type { UnetOptions } from './config.js';

/** Activates tfjs-node's native TensorFlow backend. */
export async function useNativeBackend(): Promise<void> {
  await tf.setBackend('tensorflow');
  await tf.ready();
}

/** Deterministic pseudo-random values in [0, 1) (LCG), so tests do not depend on luck. */
export function seededValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

/** A seeded NHWC batch in [0, 1). */
export function seededImages(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.tensor4d(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** One model of reference/keras-models.json (written by reference/keras_models.py). */
export interface KerasReferenceModel {
  inputShape: [number, number, number];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  levels: {
    skips: number[][];
    pooled: number[][];
    bottleneck: number[];
    decoded: number[][];
    output: number[];
  };
  outputShapes: Record<string, number[]>;
  layerClassCounts: Record<string, number>;
  layersWithWeights: { name: string; className: string; weightShapes: number[][] }[];
}

export interface KerasReference {
  tensorflow: string;
  keras: string;
  models: Record<'dsb2018' | 'satellite' | 'paper' | 'paper_valid', KerasReferenceModel>;
}

export function readKerasReference(): KerasReference {
  const url = new URL('../reference/keras-models.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as KerasReference;
}

/**
 * Small U-Nets covering the layers the builder makes: the two articles' presets at 32x32 and
 * 'valid' padding with bilinear upsampling, batch norm and 3 classes (Cropping2D, UpSampling2D).
 */
export const SMALL_UNETS: [string, UnetOptions][] = [
  [
    'dsb2018 (batch norm, dropout, transposed convs)',
    { preset: 'dsb2018', inputShape: [32, 32, 3] },
  ],
  ['satellite (ELU, he_normal)', { preset: 'satellite', inputShape: [32, 32, 3] }],
  [
    "'valid' + bilinear, 3 classes (Cropping2D, UpSampling2D)",
    {
      inputShape: [60, 44, 1],
      depth: 2,
      filters: 4,
      padding: 'valid',
      upsampling: 'bilinear',
      numClasses: 3,
      batchNorm: true,
    },
  ],
];
