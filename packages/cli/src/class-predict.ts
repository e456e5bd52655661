/**
 * `predict` with a multi-class model: per image `masks/NAME.png` (class indices, 8-bit grey),
 * `colour/NAME.png` (the class palette), with `--overlay` `overlays/NAME.png` (image blended with
 * the colours, a legend of the classes present) and with `--probabilities`
 * `probabilities/NAME.npy` (float32, height x width x K).
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { type ClassList, decodeImage, encodePng, type RasterImage } from '@unet/data';
import { argmaxClasses, classIndicesToRgb } from '@unet/infer';
import {
  classOverlay,
  classProbabilities,
  indexRaster,
  rgbRaster,
  writeNpy,
} from './class-images.js';
import type { FlagValues, PREDICT_FLAGS } from './command-spec.js';
import { classColours } from './model-classes.js';
import type { SegmentationRecipe } from './recipe.js';

/** Segments each of `inputs` into the classes of `list` and writes its files under `--out`. */
export async function predictClasses(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof PREDICT_FLAGS>,
  model: tf.LayersModel,
  list: ClassList,
  inputs: string[],
  log: (line: string) => void,
): Promise<void> {
  const k = list.classes.length;
  const names = list.classes.map((c) => c.name);
  const colours = classColours(list);
  const read =
    recipe.readImage ??
    ((file: string, channels: 1 | 3): Promise<RasterImage> => decodeImage(file, { channels }));
  const out = flags.out;
  for (const [i, file] of inputs.entries()) {
    const name = path.basename(file, path.extname(file));
    const image = await read(file, recipe.channels);
    const probabilities = await classProbabilities(model, image, recipe.tile ?? false);
    const indices = argmaxClasses(probabilities.data, k);
    const { width, height } = image;
    const maskFile = path.join(out, 'masks', `${name}.png`);
    await encodePng(maskFile, indexRaster(indices, width, height));
    const colour = rgbRaster(classIndicesToRgb(indices, colours), width, height);
    await encodePng(path.join(out, 'colour', `${name}.png`), colour);
    if (flags.overlay) {
      const overlay = await classOverlay(image, colour, indices, names, colours);
      await encodePng(path.join(out, 'overlays', `${name}.png`), overlay);
    }
    if (flags.probabilities)
      await writeNpy(path.join(out, 'probabilities', `${name}.npy`), probabilities);
    log(`[${i + 1}/${inputs.length}] ${maskFile}`);
  }
  log(
    `${inputs.length} class-index masks under ${path.join(out, 'masks')}, colours under ${path.join(out, 'colour')}`,
  );
}
