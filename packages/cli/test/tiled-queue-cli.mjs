// The queue test app with tiled prediction, as the satellite app runs it (full-resolution
// overlapping tiles, scenes decoded by the satellite reader): large scenes become tile-batch flows.
import { decodeSatelliteImage } from '@unet/data';
import { runSegmentationCli } from '../dist/index.js';

const recipe = {
  program: 'unet-tiled-queue-test',
  description: 'Queue test app: predict and worker on scenes, in overlapping tiles.',
  channels: 3,
  defaults: { epochs: 1, batchSize: 4, imageSize: 96, valSplit: 0.25, patience: 0 },
  list: async () => [],
  buildModel: () => {
    throw new Error('unet-tiled-queue-test does not train');
  },
  loss: 'bceDiceLoss',
  metrics: [],
  tile: true,
  readImage: (file, channels) => decodeSatelliteImage(file, { channels }),
};

process.exitCode = await runSegmentationCli(recipe, process.argv.slice(2));
