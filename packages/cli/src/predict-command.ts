import fs from 'node:fs/promises';
import path from 'node:path';
import type { RasterImage } from '@unet/data';
import { initBackend, resolveCompileMode } from '@unet/runtime';
import { type PredictInput, predict, readBundleManifest } from '@unet/train';
import { predictClasses } from './class-predict.js';
import { type FlagValues, PREDICT_FLAGS } from './command-spec.js';
import { readModelTargets, refuseInstanceModel } from './instance-model.js';
import { loadCommandModel } from './load-command-model.js';
import { readModelClasses } from './model-classes.js';
import { predictObjectOutputs } from './object-outputs.js';
import { UsageError } from './parse-flags.js';
import { enqueuePredict } from './queue/enqueue-predict.js';
import { selectShard } from './queue/shard.js';
import type { SegmentationRecipe } from './recipe.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.webp']);

/** An image file, or the image files found (recursively) in a folder, sorted. */
export async function listImageInputs(input: string): Promise<string[]> {
  const stat = await fs.stat(input).catch(() => {
    throw new UsageError(`predict: ${input} does not exist`);
  });
  if (stat.isFile()) return [input];
  const entries = await fs.readdir(input, { recursive: true });
  const images = entries
    .map(String)
    .filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))
    .sort()
    .map((f) => path.join(input, f));
  if (images.length === 0)
    throw new UsageError(`predict: no images (${[...IMAGE_EXTENSIONS].join(' ')}) in ${input}`);
  return images;
}

async function* readEach(
  files: string[],
  read: (file: string) => Promise<RasterImage>,
): AsyncGenerator<PredictInput> {
  for (const file of files)
    yield { name: path.basename(file, path.extname(file)), image: await read(file) };
}

/** `predict`: one PNG mask per input image at its original size (and overlays if asked). */
export async function predictCommand(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof PREDICT_FLAGS>,
  log: (l: string) => void,
) {
  // A bundle folder loads like a model folder; its recorded threshold applies while --threshold
  // keeps its default (parsed flags do not say whether a value was typed), and its tiling always.
  const bundle = await readBundleManifest(flags.model);
  const threshold =
    bundle && flags.threshold === PREDICT_FLAGS.threshold.default
      ? bundle.threshold
      : flags.threshold;
  if (!(threshold > 0 && threshold < 1))
    throw new UsageError(`predict: --threshold must be in (0, 1), got ${threshold}`);
  const inputs = selectShard(await listImageInputs(flags.input), flags.shard);
  const tile = bundle ? (bundle.tiling ?? false) : (recipe.tile ?? false);
  if (flags.queue) {
    await refuseInstanceModel('predict', flags.model, '--queue');
    const { queue: url, 'queue-name': queueName = recipe.program } = flags;
    if (!(flags['tiles-per-job'] >= 1))
      throw new UsageError(`predict: --tiles-per-job must be >= 1, got ${flags['tiles-per-job']}`);
    await enqueuePredict({
      ...flags,
      url,
      queueName,
      program: recipe.program,
      files: inputs,
      threshold,
      tile,
      tilesPerJob: flags['tiles-per-job'],
      log,
    });
    return;
  }
  const files = new Map(inputs.map((f) => [path.basename(f, path.extname(f)), f]));
  const objectOutputs = await predictObjectOutputs(recipe, flags, files);
  const backend = await initBackend(flags.backend, { log, warn: log });
  const compile = resolveCompileMode(flags.compile, backend, log);
  const modelDir = flags.model;
  const model = await loadCommandModel('predict', modelDir);
  try {
    // A model saved with a class list writes class masks, colours and legends (class-predict.ts),
    // unless it is an instance model: its mask is the foreground (interior + boundary).
    const classes = await readModelClasses('predict', modelDir, model);
    const targets = await readModelTargets('predict', modelDir);
    if (classes && targets !== 'instances')
      return await predictClasses(recipe, flags, model, classes, inputs, log);
    const out = flags.out;
    const read = recipe.readImage;
    const images = read ? readEach(inputs, (file) => read(file, recipe.channels)) : inputs;
    const results = await predict({
      ...(targets === 'instances' ? { channel: 'instances' as const } : {}),
      model,
      inputs: images,
      threshold,
      outDir: out,
      overlays: flags.overlay,
      keepMasks: false,
      tile,
      inputSize: bundle && !bundle.tiling ? [bundle.input.height, bundle.input.width] : undefined,
      tta: flags.tta === 'off' ? 'none' : flags.tta,
      compile,
      log,
      onResult: async (r, i) => {
        const more = objectOutputs ? await objectOutputs(r) : [];
        log(`[${i + 1}/${inputs.length}] ${[r.maskFile, ...more].join(' ')}`);
      },
    });
    log(`${results.length} masks written under ${path.join(out, 'masks')}`);
  } finally {
    model.dispose();
  }
}
