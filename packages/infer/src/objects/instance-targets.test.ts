import { describe, expect, it } from 'vitest';
import { labelImagePixels } from './instance-targets.js';

describe('labelImagePixels', () => {
  it('renumbers sparse ids 1..count in raster order into 16-bit (default) or 8-bit values', () => {
    const ids = Int32Array.from([0, 70000, 70000, 5, 0, 123456789, 5]);
    const pixels = labelImagePixels(ids);
    expect(pixels).toBeInstanceOf(Uint16Array);
    expect(Array.from(pixels)).toEqual([0, 1, 1, 2, 0, 3, 2]);
    const bytes = labelImagePixels(ids, 8);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes)).toEqual([0, 1, 1, 2, 0, 3, 2]);
  });

  it('holds 255 objects in 8 bits and 65535 in 16 bits, and says so when there are more', () => {
    const many = (count: number) => Int32Array.from({ length: count + 1 }, (_, i) => i);
    expect(labelImagePixels(many(255), 8)[255]).toBe(255);
    expect(() => labelImagePixels(many(256), 8)).toThrow(
      '256 objects do not fit in an 8-bit label image (at most 255 besides background 0); use bitDepth 16',
    );
    expect(labelImagePixels(many(65535), 16)[65535]).toBe(65535);
    expect(() => labelImagePixels(many(65536), 16)).toThrow(
      /65536 objects do not fit in a 16-bit label image \(at most 65535 besides background 0\)/,
    );
    expect(() => labelImagePixels(many(3), 12 as 16)).toThrow(/bitDepth must be 8 or 16/);
  });
});
