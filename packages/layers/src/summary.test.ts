import * as tf from '@tensorflow/tfjs';
import { buildUnet, formatUnetSummary, summarizeUnet } from '@unet/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNativeBackend } from './test-support.js';

beforeAll(useNativeBackend);

describe('summarizeUnet', () => {
  it('lists the levels in data-flow order with shapes, and level params that add up', () => {
    const model = buildUnet({ preset: 'satellite', inputShape: [64, 32, 3] });
    const summary = summarizeUnet(model);
    expect(summary).toMatchObject({
      name: 'unet_satellite',
      inputShape: [64, 32, 3],
      outputShape: [64, 32, 1],
      depth: 4,
    });
    expect(summary.levels.map((l) => l.name)).toEqual([
      'enc1',
      'enc2',
      'enc3',
      'enc4',
      'bottleneck',
      'dec4',
      'dec3',
      'dec2',
      'dec1',
      'head',
    ]);
    expect(summary.levels[1]).toMatchObject({
      role: 'encoder',
      level: 2,
      skipShape: [32, 16, 32],
      outputShape: [16, 8, 32],
      params: 3 * 3 * 16 * 32 + 32 + (3 * 3 * 32 * 32 + 32),
      layers: ['enc2_conv1', 'enc2_drop1', 'enc2_conv2', 'enc2_pool'],
    });
    expect(summary.levels[4]).toMatchObject({
      role: 'bottleneck',
      level: 5,
      outputShape: [4, 2, 256],
    });
    expect(summary.levels[5]).toMatchObject({
      role: 'decoder',
      level: 4,
      outputShape: [8, 4, 128],
    });
    expect(summary.levels[9]).not.toHaveProperty('level');
    expect(summary.levels.reduce((sum, l) => sum + l.params, 0)).toBe(summary.totalParams);
    model.dispose();
  });

  it('formats a table like the articles print', () => {
    const model = buildUnet({ preset: 'dsb2018' });
    const text = formatUnetSummary(summarizeUnet(model));
    const lines = text.split('\n');
    expect(lines[0]).toBe("U-Net 'unet_dsb2018': 128x128x3 -> 128x128x1, depth 4");
    expect(lines[1]).toMatch(/^level\s+skip\s+output\s+params$/);
    expect(lines[2]).toMatch(/^enc1\s+128x128x16\s+64x64x16\s+2,832$/);
    expect(lines[6]).toMatch(/^bottleneck\s+8x8x256\s+886,272$/);
    expect(lines.at(-1)).toBe('1,400,033 parameters (1,398,081 trainable, 1,952 non-trainable)');
    model.dispose();
  });

  it('refuses a model that is not named by U-Net level', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const output = tf.layers
      .conv2d({ filters: 1, kernelSize: 1 })
      .apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output, name: 'plain' });
    expect(() => summarizeUnet(model)).toThrow(/'plain' has no layers named by U-Net level/);
    model.dispose();
  });
});
