// A minimal app over the built @unet/cli for the queue tests: its workers and producers run as
// child processes (as on separate machines). Only `predict` and `worker` are used.
import { runSegmentationCli } from '../dist/index.js';

const recipe = {
  program: 'unet-queue-test',
  description: 'Queue test app: predict and worker on RGB images.',
  channels: 3,
  defaults: { epochs: 1, batchSize: 4, imageSize: 32, valSplit: 0.25, patience: 0 },
  list: async () => [],
  buildModel: () => {
    throw new Error('unet-queue-test does not train');
  },
  loss: 'bceDiceLoss',
  metrics: [],
};

process.exitCode = await runSegmentationCli(recipe, process.argv.slice(2));
