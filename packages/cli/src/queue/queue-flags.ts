import type { FlagSpecs } from '../command-spec.js';

/** `--queue` and `--queue-name`, shared by `predict` and `worker`. */
export const QUEUE_FLAGS = {
  queue: {
    type: 'string',
    value: 'URL',
    help: 'redis://HOST:PORT[/DB]: predict enqueues one job per image (tile batches for large scenes) for `worker`s (on any machine) instead of predicting here',
  },
  'queue-name': {
    type: 'string',
    value: 'NAME',
    help: "BullMQ queue name (default: the app's program name); one predict at a time per name",
  },
} as const satisfies FlagSpecs;

/** The flags `predict` adds for distributed runs (spread into PREDICT_FLAGS). */
export const PREDICT_QUEUE_FLAGS = {
  ...QUEUE_FLAGS,
  shard: {
    type: 'string',
    value: 'I/N',
    help: 'only the images of shard I of N (1-based; split by a hash of the image name, the same on every machine)',
  },
  'tiles-per-job': {
    type: 'number',
    value: 'N',
    default: 64,
    help: 'with --queue and tiled prediction: a scene of many tiles is split into jobs of about N tiles, stitched when all are done',
  },
} as const satisfies FlagSpecs;
