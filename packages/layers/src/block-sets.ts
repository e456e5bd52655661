import type { UnetBlockSet } from './block-set.js';
import { convBlock, decoderBlock, encoderBlock } from './blocks.js';
import { dsb2018Blocks } from './dsb2018-blocks.js';

/**
 * The classic U-Net blocks (seeds 001, 002, 003 and the original paper): two 3x3 convolutions
 * per block everywhere ({@link convBlock}), encoder = conv block + max pooling, decoder =
 * up-convolution + concatenation + conv block, bottleneck = conv block.
 */
export const doubleConvBlocks: UnetBlockSet = {
  encoder: (input, options) => encoderBlock(input, options),
  bottleneck: (input, options) => convBlock(input, options),
  decoder: (input, skip, options) => decoderBlock(input, skip, options),
  convsPerBlock: { encoder: 2, bottleneck: 2, decoder: 2 },
};

/**
 * Registered block sets, selected with `buildUnet({ blocks: name })`:
 * - `'double-conv'`: {@link doubleConvBlocks} (default; presets `'paper'` and `'satellite'`);
 * - `'dsb2018'`: {@link dsb2018Blocks} (preset `'dsb2018'`).
 *
 * Spread one to replace a single block:
 * `blocks: { ...unetBlockSets['double-conv'], encoder: myEncoder }`.
 */
export const unetBlockSets = {
  'double-conv': doubleConvBlocks,
  dsb2018: dsb2018Blocks,
} as const satisfies Record<string, UnetBlockSet>;

/** Name of a registered block set. */
export type BlockSetName = keyof typeof unetBlockSets;

/** Registered block set names, for validation and error messages. */
export const blockSetNames = Object.keys(unetBlockSets) as BlockSetName[];
