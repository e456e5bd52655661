// The queue test app with tiled prediction, as the satellite app runs it (full-resolution
// overlapping tiles, scenes decoded by the satellite reader): large scenes become tile-batch flows.
import { decodeSatelliteImage } from '@unet/data';
import { runQueueTestApp } from './queue-test-recipe.mjs';

await runQueueTestApp(
  'unet-tiled-queue-test',
  'Queue test app: predict and worker on scenes, in overlapping tiles.',
  96,
  { tile: true, readImage: (file, channels) => decodeSatelliteImage(file, { channels }) },
);
