import { buildUnet, summarizeUnet, type UnetPresetName, unetPresets } from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

// The numbers of issue 3, i.e. Keras' model.summary() of each article's model.
const issueCounts: [UnetPresetName, [number, number, number], number, number][] = [
  ['dsb2018', [128, 128, 3], 1_400_033, 1_398_081],
  ['satellite', [128, 128, 3], 1_941_105, 1_941_105],
  ['paper', [512, 512, 3], 31_055_297, 31_043_521],
];

describe('presets', () => {
  it.each(issueCounts)(
    "'%s' is the article's model: input %j, %i parameters, %i trainable",
    (preset, inputShape, total, trainable) => {
      const model = buildUnet({ preset });
      const summary = summarizeUnet(model);
      expect(model.inputs[0]!.shape).toEqual([null, ...inputShape]);
      expect(model.outputs[0]!.shape).toEqual([null, inputShape[0], inputShape[1], 1]);
      expect(summary.totalParams).toBe(total);
      expect(summary.trainableParams).toBe(trainable);
      expect(summary.nonTrainableParams).toBe(total - trainable);
      model.dispose();
    },
  );

  it('accept overrides: 1 input channel and 3 classes change exactly the first and last convs', () => {
    const model = buildUnet({ preset: 'dsb2018', inputShape: [64, 64, 1], numClasses: 3 });
    // first conv 3x3x1x16 + 16 instead of 3x3x3x16 + 16; head 1x1x32x3 + 3 instead of 32 + 1
    const expected = 1_400_033 - (3 * 3 * 3 * 16 + 16) + (3 * 3 * 1 * 16 + 16) - 33 + (32 * 3 + 3);
    expect(model.countParams()).toBe(expected);
    expect(model.outputs[0]!.shape).toEqual([null, 64, 64, 3]);
    expect(model.getLayer('head_conv').getConfig().activation).toBe('softmax');
    model.dispose();
  });

  it('are not changed by overrides', () => {
    const before = JSON.stringify(unetPresets);
    buildUnet({ preset: 'satellite', inputShape: [32, 32, 1], dropout: 0 }).dispose();
    expect(JSON.stringify(unetPresets)).toBe(before);
  });

  it("'dsb2018' keeps the article's asymmetric layout: no convs in the decoder", () => {
    const model = buildUnet({ preset: 'dsb2018' });
    const decoderClasses = model.layers
      .filter((l) => l.name.startsWith('dec4_'))
      .map((l) => l.getClassName());
    expect(decoderClasses).toEqual([
      'Conv2DTranspose',
      'Concatenate',
      'BatchNormalization',
      'Activation',
    ]);
    // the skip is taken before the level's batch norm, the pooled path after it
    expect(model.getLayer('enc1_bn').inboundNodes[0]!.inboundLayers[0]!.name).toBe('enc1_conv2');
    expect(model.getLayer('enc1_pool').inboundNodes[0]!.inboundLayers[0]!.name).toBe('enc1_act');
    expect(model.getLayer('dec1_concat').inboundNodes[0]!.inboundLayers.map((l) => l.name)).toEqual(
      ['dec1_up', 'enc1_conv2'],
    );
    model.dispose();
  });
});
