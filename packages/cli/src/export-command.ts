import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BundleNormalization } from '@unet/infer';
import { exportBundle } from '@unet/train';
import type { CommandSpec, FlagSpecs, FlagValues } from './command-spec.js';
import { refuseInstanceModel } from './instance-model.js';
import { UsageError } from './parse-flags.js';
import type { SegmentationRecipe } from './recipe.js';

/** What a recipe adds to a bundle beyond the model (default: unit scale, one class). */
export interface RecipeBundleSettings {
  /** How the recipe's reader normalises images (e.g. the satellite 16-bit stretch). */
  normalization?: BundleNormalization;
  /** Output class names, one per output channel. Default `['foreground']`. */
  classes?: string[];
}

const EXPORT_FLAGS = {
  model: {
    type: 'string',
    value: 'DIR',
    required: true,
    help: 'folder holding model.json (e.g. OUT/model of train)',
  },
  out: { type: 'string', value: 'BUNDLE', required: true, help: 'bundle folder to write' },
  metrics: {
    type: 'string',
    value: 'FILE',
    help: 'metrics.json of evaluate, recorded as the bundle scores',
  },
  threshold: {
    type: 'number',
    value: 'F',
    default: 0.5,
    help: 'probability above which a pixel is foreground, recorded for prediction',
  },
} as const satisfies FlagSpecs;

export const EXPORT_SPEC: CommandSpec<typeof EXPORT_FLAGS> = {
  name: 'export',
  summary: 'write a bundle (model + unet.json) that a browser page or predict can load',
  flags: EXPORT_FLAGS,
};

const RECORDED_PACKAGES = ['@unet/cli', '@unet/train', '@unet/infer', '@unet/layers'];

/**
 * Versions of the app that runs (the nearest package.json above its script) and of the toolkit
 * packages it resolves. Found from the running script rather than import.meta, which this
 * package's CommonJS build does not have.
 */
function producerVersions(script: string | undefined): Record<string, string> {
  let dir = path.dirname(path.resolve(script ?? 'x'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    try {
      const app = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      const versions: Record<string, string> = {};
      if (app.name && app.version) versions[app.name] = app.version;
      const require = createRequire(file);
      for (const name of RECORDED_PACKAGES) {
        try {
          versions[name] = (require(`${name}/package.json`) as { version: string }).version;
        } catch {
          // Not resolvable from this app (e.g. not a dependency): leave it out.
        }
      }
      return versions;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return {};
      dir = parent;
    }
  }
}

/** `export`: a bundle of a trained model with the recipe's prediction settings. */
export async function exportCommand(
  recipe: SegmentationRecipe & { bundle?: RecipeBundleSettings },
  flags: FlagValues<typeof EXPORT_FLAGS>,
  log: (l: string) => void,
) {
  const threshold = flags.threshold;
  if (!(threshold > 0 && threshold < 1))
    throw new UsageError(`export: --threshold must be in (0, 1), got ${threshold}`);
  await refuseInstanceModel('export', flags.model, 'a bundle');
  const out = flags.out;
  const manifest = await exportBundle(flags.model, out, {
    recipe: { name: recipe.program.replace(/^unet-/, ''), program: recipe.program },
    threshold,
    // Tiled recipes segment whole scenes in tiles of the training size; others resize.
    tiling: recipe.tile ? {} : null,
    normalization: recipe.bundle?.normalization,
    classes: recipe.bundle?.classes,
    versions: producerVersions(process.argv[1]),
    metricsFile: flags.metrics,
  });
  const { height, width, channels } = manifest.input;
  const mode = manifest.tiling
    ? `tiles of ${manifest.tiling.tileSize} (overlap ${manifest.tiling.overlap})`
    : 'resized';
  log(`bundle written to ${out}: ${height}x${width}x${channels} input, ${mode}`);
}
