// The recipe of the queue test apps: predict and worker only (they never train).
import { runSegmentationCli } from '../dist/index.js';

/** Runs the CLI of a test recipe named `program` with `overrides` (tiling, a scene reader). */
export async function runQueueTestApp(program, description, imageSize, overrides = {}) {
  const recipe = {
    program,
    description,
    channels: 3,
    defaults: { epochs: 1, batchSize: 4, imageSize, valSplit: 0.25, patience: 0 },
    list: async () => [],
    buildModel: () => {
      throw new Error(`${program} does not train`);
    },
    loss: 'bceDiceLoss',
    metrics: [],
    ...overrides,
  };
  process.exitCode = await runSegmentationCli(recipe, process.argv.slice(2));
}
