import * as tf from '@tensorflow/tfjs';
import {
  buildUnet,
  convBlock,
  summarizeUnet,
  type UnetBlockSet,
  type UnetOptions,
  type UnetPresetName,
} from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_UNETS, seededImages, useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

// [case, options, expected output [h, w, classes]]; tiny filters so each model runs quickly.
// Expected sizes are worked out by hand: 'valid' 3x3 convs trim 2, pools halve, ups double.
const shapeCases: [string, UnetOptions, [number, number, number]][] = [
  ["'same' depth 4, 32x32", { inputShape: [32, 32, 3] }, [32, 32, 1]],
  ["'same' depth 4, non-square 64x48", { inputShape: [64, 48, 1] }, [64, 48, 1]],
  ["'same' depth 1, 10x6", { inputShape: [10, 6, 2], depth: 1 }, [10, 6, 1]],
  ["'same' depth 3, 3 classes", { inputShape: [24, 40, 3], depth: 3, numClasses: 3 }, [24, 40, 3]],
  ["'same' bilinear", { inputShape: [12, 12, 1], depth: 2, upsampling: 'bilinear' }, [12, 12, 1]],
  [
    "'same' dsb2018 blocks",
    { inputShape: [16, 16, 3], blocks: 'dsb2018', batchNorm: true },
    [16, 16, 1],
  ],
  [
    "'valid' depth 4, smallest size 188",
    { inputShape: [188, 188, 1], padding: 'valid' },
    [4, 4, 1],
  ],
  ["'valid' depth 4, 204x220", { inputShape: [204, 220, 1], padding: 'valid' }, [20, 36, 1]],
  ["'valid' depth 1, 18 -> 2", { inputShape: [18, 30, 1], depth: 1, padding: 'valid' }, [2, 14, 1]],
  ["'valid' depth 2, 44 -> 4", { inputShape: [44, 60, 1], depth: 2, padding: 'valid' }, [4, 20, 1]],
  [
    "'valid' depth 2 bilinear, 2 classes",
    { inputShape: [60, 60, 3], depth: 2, padding: 'valid', upsampling: 'bilinear', numClasses: 2 },
    [20, 20, 2],
  ],
  [
    "'valid' dsb2018 blocks (no decoder convs): 44 -> 16",
    { inputShape: [44, 44, 3], depth: 2, padding: 'valid', blocks: 'dsb2018', batchNorm: true },
    [16, 16, 1],
  ],
];

describe('buildUnet output shapes', () => {
  it.each(shapeCases)('%s', (_, options, expected) => {
    const model = buildUnet({ filters: 2, ...options });
    const [h, w, c] = model.inputs[0]!.shape.slice(1) as number[];
    expect(model.outputs[0]!.shape).toEqual([null, ...expected]);
    const shape = tf.tidy(() => (model.predict(tf.zeros([2, h!, w!, c!])) as tf.Tensor).shape);
    expect(shape).toEqual([2, ...expected]);
    model.dispose();
  });

  it("gives the paper's 572 -> 388 under 'valid' padding", () => {
    const model = buildUnet({ preset: 'paper', padding: 'valid', inputShape: [572, 572, 1] });
    expect(model.outputs[0]!.shape).toEqual([null, 388, 388, 1]);
    expect(model.getLayer('dec4_crop').outputShape).toEqual([null, 56, 56, 512]);
    expect(model.getLayer('dec1_crop').outputShape).toEqual([null, 392, 392, 64]);
    model.dispose();
  });
});

describe('buildUnet output activation', () => {
  it('is a sigmoid for one class: every value in (0, 1)', () => {
    const model = buildUnet({ inputShape: [16, 16, 3], depth: 2, filters: 4 });
    const [min, max] = tf.tidy(() => {
      const y = model.predict(seededImages([2, 16, 16, 3], 1)) as tf.Tensor;
      return [y.min().dataSync()[0]!, y.max().dataSync()[0]!];
    });
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    expect(model.getLayer('head_conv').getConfig().activation).toBe('sigmoid');
    model.dispose();
  });

  it('is a softmax over classes for more: each pixel sums to 1', () => {
    const model = buildUnet({ inputShape: [16, 16, 3], depth: 2, filters: 4, numClasses: 4 });
    const worst = tf.tidy(() => {
      const y = model.predict(seededImages([2, 16, 16, 3], 2)) as tf.Tensor;
      return y.sum(-1).sub(1).abs().max().dataSync()[0]!;
    });
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('buildUnet structure', () => {
  it('names layers by level, uniquely, and the model after its preset', () => {
    const model = buildUnet({ preset: 'satellite', inputShape: [32, 32, 3] });
    const names = model.layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    expect(model.name).toBe('unet_satellite');
    expect(names.slice(0, 5)).toEqual([
      'input',
      'enc1_conv1',
      'enc1_drop1',
      'enc1_conv2',
      'enc1_pool',
    ]);
    expect(names).toContain('bottleneck_drop1');
    expect(names.slice(-5)).toEqual([
      'dec1_concat',
      'dec1_conv1',
      'dec1_drop1',
      'dec1_conv2',
      'head_conv',
    ]);
    model.dispose();
  });

  it('uses the kernel initializer on the 3x3 convs only, like the articles', () => {
    const model = buildUnet({ preset: 'dsb2018', inputShape: [32, 32, 3] });
    const initializer = (name: string) =>
      model.getLayer(name).getConfig().kernelInitializer as { className: string; config: object };
    expect(initializer('enc1_conv1')).toMatchObject({
      className: 'VarianceScaling',
      config: { scale: 2, mode: 'fanIn', distribution: 'normal' },
    });
    expect(initializer('dec4_up').config).toMatchObject({ scale: 1, mode: 'fanAvg' });
    expect(initializer('head_conv').config).toMatchObject({ scale: 1, mode: 'fanAvg' });
    model.dispose();
  });

  it("'bilinear' upsampling keeps every preset's parameter count", () => {
    for (const preset of ['dsb2018', 'satellite', 'paper'] as UnetPresetName[]) {
      const counts = (['transpose', 'bilinear'] as const).map((upsampling) => {
        const model = buildUnet({ preset, upsampling, inputShape: [32, 32, 3] });
        const count = model.countParams();
        model.dispose();
        return count;
      });
      expect(counts[1]).toBe(counts[0]);
    }
  });

  it('takes a custom block (the README residual encoder) and completes the set', () => {
    const residualEncoder: UnetBlockSet['encoder'] = (input, options) => {
      const features = convBlock(input, options);
      const shortcut = tf.layers
        .conv2d({ filters: options.filters, kernelSize: 1, name: `${options.name}_shortcut` })
        .apply(input) as tf.SymbolicTensor;
      const skip = tf.layers
        .add({ name: `${options.name}_add` })
        .apply([features, shortcut]) as tf.SymbolicTensor;
      const down = tf.layers
        .maxPooling2d({ poolSize: 2, name: `${options.name}_pool` })
        .apply(skip) as tf.SymbolicTensor;
      return { skip, down };
    };
    const model = buildUnet({
      inputShape: [128, 128, 3],
      filters: 16,
      blocks: { encoder: residualEncoder },
    });
    // satellite-sized double-conv U-Net (1,941,105) plus the 1x1 shortcuts of levels 1..4
    const shortcuts = 3 * 16 + 16 + (16 * 32 + 32) + (32 * 64 + 64) + (64 * 128 + 128);
    expect(model.countParams()).toBe(1_941_105 + shortcuts);
    expect(summarizeUnet(model).levels[0]).toMatchObject({
      name: 'enc1',
      skipShape: [128, 128, 16],
      outputShape: [64, 64, 16],
    });
    model.dispose();
  });

  it('catches custom blocks whose convsPerBlock does not match what they do', () => {
    const threeConvEncoder: UnetBlockSet['encoder'] = (input, options) => {
      const skip = convBlock(input, { ...options, convs: 3 });
      const pool = tf.layers.maxPooling2d({ poolSize: 2, name: `${options.name}_pool` });
      return { skip, down: pool.apply(skip) as tf.SymbolicTensor };
    };
    expect(() =>
      buildUnet({
        inputShape: [188, 188, 1],
        filters: 1,
        padding: 'valid',
        blocks: {
          encoder: threeConvEncoder,
          convsPerBlock: { encoder: 2, bottleneck: 2, decoder: 2 },
        },
      }),
    ).toThrow(/cannot centre-crop|convsPerBlock/);
  });
});

describe('tensor memory', () => {
  const cases: [string, UnetOptions][] = [
    ...SMALL_UNETS,
    ['paper', { preset: 'paper', inputShape: [32, 32, 3] }],
  ];

  it.each(cases)('%s: build, predict and dispose leave no tensor behind', (_, options) => {
    const before = tf.memory().numTensors;
    const model = buildUnet(options);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    const [h, w, c] = model.inputs[0]!.shape.slice(1) as number[];
    const x = seededImages([2, h!, w!, c!], 3);
    const y = model.predict(x) as tf.Tensor;
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an invalid config allocates nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => buildUnet({ inputShape: [100, 100, 3] })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
