import {
  buildUnet,
  resolveUnetConfig,
  UnetConfigError,
  type UnetOptions,
  unetBlockSets,
} from '@unet/layers';
import { describe, expect, it } from 'vitest';

const ok = [64, 64, 3] as const;

// [what is wrong, options, what the message must say (the fix)]
const badConfigs: [string, unknown, RegExp][] = [
  ['nothing at all', {}, /inputShape is required: \[height, width, channels\].*preset/],
  ['not an object', 'dsb2018', /takes an options object/],
  ['no channels', { inputShape: [128, 128] }, /\[height, width, channels\].*grayscale/],
  ['zero channels', { inputShape: [128, 128, 0] }, /inputShape must be.*got \[128,128,0\]/],
  ['fractional size', { inputShape: [64.5, 64, 3] }, /positive integers/],
  [
    "'same', side not a multiple of 2^depth",
    { inputShape: [100, 100, 3] },
    /height and width 100 .*multiple of 2\^4 = 16.*to 96 or 112, or use a smaller depth/,
  ],
  ["'same', only the width is off", { inputShape: [128, 100, 3] }, /^(?!.*height).*width 100/s],
  ['too deep for the size', { inputShape: ok, depth: 7 }, /multiple of 2\^7 = 128.*to 128/],
  [
    "'valid', size that pools an odd map",
    { inputShape: [570, 570, 1], padding: 'valid' },
    /odd size.*556 \(output 372\) or 572 \(output 388\)/,
  ],
  [
    "'valid', too small",
    { inputShape: [100, 100, 1], padding: 'valid' },
    /does not fit depth 4 with padding 'valid'.*to 188 \(output 4\)/,
  ],
  [
    "'valid' with the dsb2018 blocks (no decoder convs)",
    { preset: 'dsb2018', padding: 'valid' },
    /128 does not fit.*'valid'.*images to 140 \(output 16\), or/,
  ],
  ['zero filters', { inputShape: ok, filters: 0 }, /filters must be a positive integer.*got 0/],
  ['fractional filters', { inputShape: ok, filters: 1.5 }, /filters must be a positive integer/],
  [
    'filters per level, one short',
    { inputShape: ok, filters: [16, 32, 64, 128] },
    /depth \+ 1 = 5 of them.*got 4 entries/,
  ],
  ['depth 0', { inputShape: ok, depth: 0 }, /depth must be an integer from 1 to 8/],
  ['depth 9', { inputShape: [512, 512, 3], depth: 9 }, /depth must be at most 8/],
  ['dropout 1', { inputShape: ok, dropout: 1 }, /dropout must be a rate in \[0, 1\).*got 1$/m],
  ['negative dropout', { inputShape: ok, dropout: [0, 0, 0, 0, -0.1] }, /dropout must be a rate/],
  [
    'preset dropout left at 5 levels when depth changes',
    { preset: 'dsb2018', depth: 3 },
    /dropout .* depth \+ 1 = 4 of them.*got 5 entries/,
  ],
  ['zero classes', { inputShape: ok, numClasses: 0 }, /numClasses must be a positive integer: 1/],
  ['softmax hidden', { inputShape: ok, activation: 'softmax' }, /'softmax' is for the output/],
  ['misspelt activation', { inputShape: ok, activation: 'rleu' }, /did you mean 'relu'/],
  [
    'misspelt Keras initializer',
    { inputShape: ok, kernelInitializer: 'he_nromal' },
    /kernelInitializer must be one of .*'heNormal'.*did you mean 'he_normal'/,
  ],
  ['unknown upsampling', { inputShape: ok, upsampling: 'nearest' }, /'transpose' or 'bilinear'/],
  ['upper-case padding', { inputShape: ok, padding: 'SAME' }, /did you mean 'same'/],
  ['batchNorm as string', { inputShape: ok, batchNorm: 'yes' }, /batchNorm must be true or false/],
  ['unknown block set', { inputShape: ok, blocks: 'unet++' }, /'double-conv' or 'dsb2018'/],
  ['block that is not a function', { inputShape: ok, blocks: { encoder: 3 } }, /blocks.encoder/],
  [
    'bad convsPerBlock',
    { inputShape: ok, blocks: { convsPerBlock: { encoder: 2 } } },
    /blocks.convsPerBlock must give/,
  ],
  ['unknown preset', { preset: 'dsb' }, /preset must be one of 'dsb2018'.*did you mean 'dsb2018'/],
  [
    'typo in an option name',
    { inputShape: ok, batchnorm: true },
    /unknown option 'batchnorm' \(did you mean 'batchNorm'\?\)/,
  ],
  ['empty name', { inputShape: ok, name: '' }, /name must be a non-empty string/],
];

describe('config validation', () => {
  it.each(badConfigs)('rejects %s with a fix-it message', (_, options, message) => {
    const attempt = () => buildUnet(options as UnetOptions);
    expect(attempt).toThrow(UnetConfigError);
    expect(attempt).toThrow(message);
  });

  it('reports every problem of a config at once', () => {
    try {
      resolveUnetConfig({
        inputShape: [64, 64, 3],
        filters: 0,
        numClasses: 0,
        padding: 'full' as 'same',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnetConfigError);
      const { problems } = error as UnetConfigError;
      expect(problems).toHaveLength(3);
      expect((error as Error).message).toMatch(/^invalid U-Net config:\n {2}- filters/);
    }
  });
});

describe('resolveUnetConfig', () => {
  it('fills the defaults: the paper U-Net without batch norm', () => {
    const config = resolveUnetConfig({ inputShape: [64, 48, 1] });
    expect(config).toMatchObject({
      name: 'unet',
      preset: undefined,
      inputShape: [64, 48, 1],
      depth: 4,
      filters: [64, 128, 256, 512, 1024],
      dropout: [0, 0, 0, 0, 0],
      batchNorm: false,
      activation: 'relu',
      kernelInitializer: 'glorotUniform',
      upsampling: 'transpose',
      padding: 'same',
      numClasses: 1,
      blocksName: 'double-conv',
      outputShape: [64, 48, 1],
    });
    expect(config.blocks).toBe(unetBlockSets['double-conv']);
    expect(config.levelSizes.skips).toEqual([
      [64, 48],
      [32, 24],
      [16, 12],
      [8, 6],
    ]);
    expect(config.levelSizes.bottleneck).toEqual([4, 3]);
  });

  it('lets overrides replace preset fields and keeps the rest of the preset', () => {
    const config = resolveUnetConfig({
      preset: 'paper',
      inputShape: [256, 256, 1],
      numClasses: 3,
      activation: undefined,
    });
    expect(config).toMatchObject({
      name: 'unet_paper',
      preset: 'paper',
      inputShape: [256, 256, 1],
      numClasses: 3,
      activation: 'relu',
      batchNorm: true,
      filters: [64, 128, 256, 512, 1024],
      outputShape: [256, 256, 3],
    });
  });

  it('expands per-level settings and accepts the Keras initializer spelling', () => {
    const config = resolveUnetConfig({
      inputShape: [32, 32, 3],
      depth: 2,
      filters: [8, 12, 20],
      dropout: 0.25,
      kernelInitializer: 'he_normal',
    });
    expect(config.filters).toEqual([8, 12, 20]);
    expect(config.dropout).toEqual([0.25, 0.25, 0.25]);
    expect(config.kernelInitializer).toBe('heNormal');
  });

  it("follows the paper's 'valid' geometry: 572 -> 388, with the article's level sizes", () => {
    const config = resolveUnetConfig({
      preset: 'paper',
      padding: 'valid',
      inputShape: [572, 572, 1],
    });
    expect(config.outputShape).toEqual([388, 388, 1]);
    expect(config.levelSizes.skips.map(([h]) => h)).toEqual([568, 280, 136, 64]);
    expect(config.levelSizes.bottleneck).toEqual([28, 28]);
    expect(config.levelSizes.decoded.map(([h]) => h)).toEqual([388, 196, 100, 52]);
  });

  it("accepts every 'valid' size 16 apart from 188 at depth 4, and none in between", () => {
    const fits = (size: number) => {
      try {
        resolveUnetConfig({ inputShape: [size, size, 1], padding: 'valid', filters: 1 });
        return true;
      } catch {
        return false;
      }
    };
    const sizes = Array.from({ length: 600 }, (_, i) => i + 1).filter(fits);
    expect(sizes[0]).toBe(188);
    expect(sizes.every((s) => (s - 188) % 16 === 0)).toBe(true);
    expect(sizes).toContain(572);
  });
});
