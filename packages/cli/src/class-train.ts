/**
 * What `train` adds for K classes: the class list (the recipe's or `--classes FILE.json`), the
 * sparse loss with the ignore index and class weights (`--class-weights none|auto|sqrt`), and the
 * mean IoU of the validation set after each epoch (`val_miou` in history.csv).
 */
import * as tf from '@tensorflow/tfjs';
import {
  type ClassList,
  medianFrequencyWeightsOfSamples,
  readClassList,
  type Sample,
} from '@unet/data';
import { ConfusionMatrix } from '@unet/infer';
import type { ClassWeighting } from './command-spec.js';
import { registerClassLoss } from './model-classes.js';
import { UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';

/** The classes `train` learns: `--classes FILE.json`, else the recipe's, else null (binary). */
export async function trainClasses(
  recipe: SegmentationRecipe,
  classesFile: string | undefined,
): Promise<ClassList | null> {
  if (classesFile === undefined) return recipe.classes ?? null;
  if (!recipe.classesFlag && !recipe.classes) {
    throw new UsageError(
      `train: --classes is not available in ${recipe.program}, whose reader has binary masks (use unet-folder)`,
    );
  }
  try {
    return await readClassList(classesFile);
  } catch (error) {
    throw new UsageError(`train: --classes: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The loss of a multi-class run: the recipe's sparse loss, else sparse cross-entropy. */
export function classLossBase(recipe: SegmentationRecipe): string {
  return recipe.loss.startsWith('sparseCategorical')
    ? recipe.loss
    : 'sparseCategoricalCrossentropy';
}

/** The name the configured loss is registered and saved under: `<base>_<program>`. */
export function classLossName(recipe: SegmentationRecipe): string {
  return `${classLossBase(recipe)}_${recipe.program.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/**
 * Class weights (`auto`: median frequency of the training masks, void skipped; `sqrt`: the square
 * root of those; `none`: null),
 * then the configured loss registered as `<base>_<program>` (the name saved in model.json).
 */
export async function prepareClassLoss(
  recipe: SegmentationRecipe,
  list: ClassList,
  weighting: ClassWeighting,
  trainSamples: readonly Sample[],
  log: (line: string) => void,
): Promise<{ loss: string; classWeights: number[] | null }> {
  let classWeights: number[] | null = null;
  if (weighting !== 'none') {
    const median = await medianFrequencyWeightsOfSamples(
      trainSamples,
      list.classes.length,
      list.ignoreIndex,
    );
    classWeights = weighting === 'sqrt' ? median.map(Math.sqrt) : median;
    const kind = weighting === 'sqrt' ? 'square root of median frequency' : 'median frequency';
    log(
      `class weights (${kind}): ${list.classes
        .map((c, i) => `${c.name} ${classWeights![i]!.toFixed(3)}`)
        .join(', ')}`,
    );
  }
  const base = classLossBase(recipe);
  const name = classLossName(recipe);
  return { loss: registerClassLoss(name, base, list, classWeights), classWeights };
}

/**
 * After each epoch: the mean IoU over the validation samples (one confusion matrix over the set,
 * void ignored, absent classes left out), written into the epoch's logs as `val_miou`.
 */
export class ValidationMeanIoU extends tf.Callback {
  constructor(
    private readonly net: tf.LayersModel,
    private readonly samples: readonly Sample[],
    private readonly list: ClassList,
    private readonly batchSize: number,
  ) {
    super();
  }

  override async onEpochEnd(_epoch: number, logs?: tf.Logs): Promise<void> {
    const k = this.list.classes.length;
    const matrix = new ConfusionMatrix(k, { ignoreIndex: this.list.ignoreIndex });
    for (let start = 0; start < this.samples.length; start += this.batchSize) {
      const batch = this.samples.slice(start, start + this.batchSize);
      const { width, height, channels } = batch[0]!.image;
      const pixels = width * height;
      const input = new Float32Array(batch.length * pixels * channels);
      batch.forEach((s, i) => {
        input.set(s.image.data, i * pixels * channels);
      });
      const predicted = tf.tidy(() => {
        const out = this.net.predict(tf.tensor4d(input, [batch.length, height, width, channels]));
        return tf.argMax(Array.isArray(out) ? out[0]! : out, -1);
      });
      const classes = await predicted.data();
      predicted.dispose();
      batch.forEach((s, i) => {
        matrix.add(s.mask!.data, classes.subarray(i * pixels, (i + 1) * pixels));
      });
    }
    const miou = matrix.meanIoU();
    if (logs && miou !== null) logs.val_miou = miou;
  }
}
