import { describe, expect, it } from 'vitest';
import { imageSizeSetting, parseImageSize } from './image-size.js';
import { UsageError } from './parse-flags.js';

describe('parseImageSize', () => {
  it('reads N as a square and HxW as height by width', () => {
    expect(parseImageSize('train', '256')).toEqual({ height: 256, width: 256 });
    expect(parseImageSize('train', 128)).toEqual({ height: 128, width: 128 });
    expect(parseImageSize('train', '192x256')).toEqual({ height: 192, width: 256 });
    expect(parseImageSize('train', '48X64')).toEqual({ height: 48, width: 64 });
  });

  it('refuses anything else with a usage error naming the value', () => {
    for (const bad of ['0', '-3', '12.5', '192x', 'x256', '192x256x3', 'big', '']) {
      expect(() => parseImageSize('train', bad)).toThrow(UsageError);
    }
    expect(() => parseImageSize('train', '1.5')).toThrow(/--image-size .*'1\.5'/);
  });

  it('records squares as a number and other sizes as HxW', () => {
    expect(imageSizeSetting({ height: 64, width: 64 })).toBe(64);
    expect(imageSizeSetting({ height: 192, width: 256 })).toBe('192x256');
  });
});
