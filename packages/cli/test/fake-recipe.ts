/**
 * A recipe small enough to run the whole command-line contract in seconds: an images/ + masks/
 * folder of a few tiny generated pictures (a bright disc or square on a dim textured ground, the
 * mask being the shape) and a depth-2 U-Net with 4 filters.
 */
import path from 'node:path';
import { encodePng, listImageFolder } from '@unet/data';
import { buildUnet } from '@unet/layers';
import type { SegmentationRecipe } from '../src/recipe.js';

export const FAKE_PROGRAM = 'unet-fake';

export const fakeRecipe: SegmentationRecipe = {
  program: FAKE_PROGRAM,
  description: 'Test recipe. --data holds images/*.png and masks/*.png with the same names.',
  channels: 3,
  // patience 0: a fixed number of epochs, so the tests know how many rows history.csv holds.
  defaults: { epochs: 2, batchSize: 4, imageSize: 32, valSplit: 0.25, patience: 0 },
  list: (dir, options) => listImageFolder(dir, options),
  buildModel: ({ height, width, channels }) =>
    buildUnet({ inputShape: [height, width, channels], depth: 2, filters: 4 }),
  loss: 'bceDiceLoss',
  metrics: ['diceCoefficient'],
};

/** Width x height of each generated image: mostly 32x32, two of other sizes and shapes. */
export const FAKE_SIZES: readonly (readonly [number, number])[] = [
  [32, 32],
  [40, 24],
  [32, 32],
  [32, 32],
  [24, 36],
  [32, 32],
  [32, 32],
  [32, 32],
];

/** The sample ids (file names without .png) {@link writeFakeData} writes. */
export const FAKE_IDS = FAKE_SIZES.map((_, i) => `shape-${i}`);

/** Writes the images/ + masks/ dataset under `dir` and returns `dir`. */
export async function writeFakeData(dir: string): Promise<string> {
  for (const [i, [width, height]] of FAKE_SIZES.entries()) {
    const image = new Float32Array(width * height * 3);
    const mask = new Float32Array(width * height);
    const cx = width * (0.35 + 0.04 * i);
    const cy = height * (0.6 - 0.03 * i);
    const r = Math.min(width, height) * 0.25;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const inside =
          i % 2 === 0
            ? (x - cx) ** 2 + (y - cy) ** 2 < r * r
            : Math.abs(x - cx) < r && Math.abs(y - cy) < r;
        const k = y * width + x;
        mask[k] = inside ? 1 : 0;
        const ground = 0.2 + 0.1 * Math.sin(0.7 * x + i) * Math.cos(0.5 * y);
        for (let c = 0; c < 3; c++) image[k * 3 + c] = inside ? 0.8 - 0.1 * c : ground;
      }
    const id = FAKE_IDS[i]!;
    await encodePng(path.join(dir, 'images', `${id}.png`), {
      data: image,
      width,
      height,
      channels: 3,
    });
    await encodePng(path.join(dir, 'masks', `${id}.png`), {
      data: mask,
      width,
      height,
      channels: 1,
    });
  }
  return dir;
}
