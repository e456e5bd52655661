import * as tf from '@tensorflow/tfjs';
import {
  centreCropTo,
  convBlock,
  decoderBlock,
  encoderBlock,
  mergeSkip,
  upsample,
} from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

const classNames = (model: tf.LayersModel) => model.layers.slice(1).map((l) => l.getClassName());

describe('convBlock', () => {
  it('with batchNorm: Conv2D -> BatchNormalization -> Activation, twice (seed 001)', () => {
    const input = tf.input({ shape: [32, 32, 3] });
    const output = convBlock(input, { filters: 8, batchNorm: true, name: 'b' });
    const model = tf.model({ inputs: input, outputs: output });
    expect(output.shape).toEqual([null, 32, 32, 8]);
    expect(classNames(model)).toEqual([
      'Conv2D',
      'BatchNormalization',
      'Activation',
      'Conv2D',
      'BatchNormalization',
      'Activation',
    ]);
    expect(model.layers.map((l) => l.name).slice(1)).toEqual([
      'b_conv1',
      'b_bn1',
      'b_act1',
      'b_conv2',
      'b_bn2',
      'b_act2',
    ]);
    model.dispose();
  });

  it('without batchNorm: activation inside the convs, dropout between them (seed 003)', () => {
    const input = tf.input({ shape: [32, 32, 3] });
    const output = convBlock(input, { filters: 8, dropout: 0.1, activation: 'elu' });
    const model = tf.model({ inputs: input, outputs: output });
    expect(classNames(model)).toEqual(['Conv2D', 'Dropout', 'Conv2D']);
    expect(model.layers[1]!.getConfig()).toMatchObject({ activation: 'elu', padding: 'same' });
    expect(model.layers[2]!.getConfig()).toMatchObject({ rate: 0.1 });
    // 3x3x3x8 + 8, 3x3x8x8 + 8
    expect(model.countParams()).toBe(224 + 584);
    model.dispose();
  });

  it("with padding 'valid' trims 2 pixels per convolution", () => {
    const input = tf.input({ shape: [20, 17, 1] });
    expect(convBlock(input, { filters: 2, padding: 'valid', convs: 3 }).shape).toEqual([
      null,
      14,
      11,
      2,
    ]);
  });
});

describe('encoderBlock and decoderBlock', () => {
  it("compose into the article's build_unet with its 31,055,297 parameters (seeds 001/002)", () => {
    // build_unet((512, 512, 3)) of the articles, line for line, with the exported blocks.
    const inputs = tf.input({ shape: [512, 512, 3] });
    const block = (filters: number) => ({ filters, batchNorm: true });
    const { skip: s1, down: p1 } = encoderBlock(inputs, block(64));
    const { skip: s2, down: p2 } = encoderBlock(p1, block(128));
    const { skip: s3, down: p3 } = encoderBlock(p2, block(256));
    const { skip: s4, down: p4 } = encoderBlock(p3, block(512));
    const b1 = convBlock(p4, block(1024));
    const d1 = decoderBlock(b1, s4, block(512));
    const d2 = decoderBlock(d1, s3, block(256));
    const d3 = decoderBlock(d2, s2, block(128));
    const d4 = decoderBlock(d3, s1, block(64));
    const head = tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' });
    const outputs = head.apply(d4) as tf.SymbolicTensor;
    const model = tf.model({ inputs, outputs, name: 'U-Net' });
    expect([s1, p1, b1, d1, outputs].map((t) => t.shape)).toEqual([
      [null, 512, 512, 64],
      [null, 256, 256, 64],
      [null, 32, 32, 1024],
      [null, 64, 64, 512],
      [null, 512, 512, 1],
    ]);
    expect(model.countParams()).toBe(31_055_297);
    model.dispose();
  });

  it("centre-crops the skip under 'valid' padding (paper level 4: 64 -> 56)", () => {
    const bottom = tf.input({ shape: [28, 28, 16] });
    const skip = tf.input({ shape: [64, 64, 8] });
    const out = decoderBlock(bottom, skip, { filters: 8, padding: 'valid', name: 'dec4' });
    const model = tf.model({ inputs: [bottom, skip], outputs: out });
    expect(out.shape).toEqual([null, 52, 52, 8]);
    expect(model.getLayer('dec4_crop').outputShape).toEqual([null, 56, 56, 8]);
    expect(model.getLayer('dec4_concat').outputShape).toEqual([null, 56, 56, 16]);
    model.dispose();
  });
});

describe('upsample', () => {
  it("'bilinear' + 2x2 conv has the same shape and parameter count as 'transpose'", () => {
    const input = tf.input({ shape: [8, 6, 32] });
    const models = (['transpose', 'bilinear'] as const).map((upsampling) => {
      const out = upsample(input, { filters: 16, upsampling });
      expect(out.shape).toEqual([null, 16, 12, 16]);
      return tf.model({ inputs: input, outputs: out });
    });
    expect(models.map((m) => m.countParams())).toEqual([4 * 32 * 16 + 16, 4 * 32 * 16 + 16]);
    expect(classNames(models[1]!)).toEqual(['UpSampling2D', 'Conv2D']);
    for (const m of models) m.dispose();
  });
});

describe('centreCropTo and mergeSkip', () => {
  it('takes the centre, the extra row/column of an odd difference at the bottom/right', () => {
    const input = tf.input({ shape: [7, 6, 2] });
    const cropped = centreCropTo(input, [4, 3]);
    const model = tf.model({ inputs: input, outputs: cropped });
    const x = tf.range(0, 7 * 6 * 2).reshape([1, 7, 6, 2]);
    const y = model.predict(x) as tf.Tensor;
    // rows 1..4 (1 above, 2 below), columns 1..3 (1 left, 2 right)
    const expected = x.slice([0, 1, 1, 0], [1, 4, 3, 2]);
    expect(y.shape).toEqual([1, 4, 3, 2]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, y, expected]);
    model.dispose();
  });

  it('returns the skip itself when sizes match, and refuses to crop up', () => {
    const skip = tf.input({ shape: [8, 8, 2] });
    expect(centreCropTo(skip, [8, 8])).toBe(skip);
    expect(() => centreCropTo(skip, [10, 8])).toThrow(
      /cannot centre-crop .* 8x8 to the larger 10x8/,
    );
  });

  it('concatenates upsampled features first, then the skip', () => {
    const up = tf.input({ shape: [4, 4, 3] });
    const skip = tf.input({ shape: [6, 6, 5] });
    const merged = mergeSkip(up, skip, 'dec1');
    expect(merged.shape).toEqual([null, 4, 4, 8]);
    expect(merged.sourceLayer.name).toBe('dec1_concat');
  });
});
