import type { UnetBlockSet } from './block-set.js';
import type { Padding } from './layer-settings.js';

/** Spatial sizes along one axis (height or width) through a U-Net. */
export interface AxisSizes {
  /** Skip features of encoder levels 1..depth. */
  skips: number[];
  bottleneck: number;
  /** Output of decoder levels 1..depth (index 0 = level 1, the last one applied). */
  decoded: number[];
  output: number;
}

/** Sizes along one axis, or why that input size does not fit. */
export type AxisTrace = { sizes: AxisSizes; problem?: undefined } | { problem: string };

/** What determines the geometry: depth, padding and the 3x3 convolutions per block. */
export interface GeometrySettings {
  depth: number;
  padding: Padding;
  convsPerBlock: UnetBlockSet['convsPerBlock'];
}

/**
 * Follows one input side through the U: each unpadded 3x3 convolution trims 2 pixels, each
 * max pooling halves (the size must be even there), each up-convolution doubles, and the decoder
 * must never get larger than the skip it is joined to.
 *
 * @example traceAxis(572, { depth: 4, padding: 'valid', convsPerBlock: { encoder: 2, bottleneck: 2, decoder: 2 } }).sizes.output // 388
 */
export function traceAxis(size: number, settings: GeometrySettings): AxisTrace {
  const { depth, padding, convsPerBlock } = settings;
  const trim = (convs: number) => (padding === 'valid' ? 2 * convs : 0);
  const skips: number[] = [];
  let s = size;
  for (let level = 1; level <= depth; level++) {
    s -= trim(convsPerBlock.encoder);
    if (s < 1) return { problem: `encoder level ${level} has nothing left after its convolutions` };
    skips.push(s);
    if (s % 2 !== 0) {
      return {
        problem: `encoder level ${level} reaches its 2x2 max pooling with an odd size, ${s}`,
      };
    }
    s /= 2;
  }
  s -= trim(convsPerBlock.bottleneck);
  if (s < 1) return { problem: 'the bottleneck has nothing left after its convolutions' };
  const bottleneck = s;
  const decoded: number[] = [];
  for (let level = depth; level >= 1; level--) {
    s *= 2;
    const skip = skips[level - 1]!;
    if (s > skip) {
      return { problem: `decoder level ${level} upsamples to ${s}, more than its skip (${skip})` };
    }
    s -= trim(convsPerBlock.decoder);
    if (s < 1) return { problem: `decoder level ${level} has nothing left after its convolutions` };
    decoded.unshift(s);
  }
  return { sizes: { skips, bottleneck, decoded, output: s } };
}

/** The closest input sizes below and above `size` that fit, each with its output size. */
export interface FittingSizes {
  below?: { input: number; output: number };
  above?: { input: number; output: number };
}

/**
 * The nearest input sizes that fit the U-Net, for fix-it messages. Under 'same' these are the
 * multiples of 2^depth; under 'valid' sizes that fit repeat every 2^depth above a minimum
 * (188 for the paper's depth 4), so the search is short.
 */
export function nearestFittingSizes(size: number, settings: GeometrySettings): FittingSizes {
  const firstFitting = (from: number, step: 1 | -1, last: number) => {
    for (let n = from; step > 0 ? n <= last : n >= last; n += step) {
      const trace = traceAxis(n, settings);
      if (trace.problem === undefined) return { input: n, output: trace.sizes.output };
    }
    return undefined;
  };
  const below = firstFitting(size - 1, -1, 1);
  // Sizes that fit are 2^depth apart once the smallest is passed; 64 periods covers that minimum.
  const above = firstFitting(size + 1, 1, size + 64 * 2 ** settings.depth);
  return { ...(below && { below }), ...(above && { above }) };
}
