import type { FlagSpecs, FlagValues } from './command-spec.js';
import { BACKEND_FLAG } from './command-spec.js';
import { UsageError } from './parse-flags.js';
import { createPredictWorker } from './queue/predict-worker.js';
import { QUEUE_FLAGS } from './queue/queue-flags.js';
import type { SegmentationRecipe } from './recipe.js';

export const WORKER_FLAGS = {
  ...QUEUE_FLAGS,
  queue: {
    ...QUEUE_FLAGS.queue,
    required: true,
    help: 'redis://HOST:PORT[/DB] to take predict jobs from',
  },
  concurrency: { type: 'number', value: 'N', default: 1, help: 'jobs run at once by this worker' },
  'lock-duration': {
    type: 'number',
    value: 'MS',
    default: 30_000,
    help: "a job's lock; a worker that dies hands its job to another after about this long",
  },
  backend: BACKEND_FLAG,
} as const satisfies FlagSpecs;

/**
 * `worker --queue URL`: segments the images `predict --queue` enqueues, until SIGTERM or SIGINT
 * (which finish the jobs in hand and take no new one; a second signal quits at once).
 */
export async function workerCommand(
  recipe: SegmentationRecipe,
  flags: FlagValues<typeof WORKER_FLAGS>,
  log: (line: string) => void,
): Promise<void> {
  if (!(flags.concurrency >= 1)) throw new UsageError(`worker: --concurrency must be >= 1`);
  if (!(flags['lock-duration'] >= 1000))
    throw new UsageError(`worker: --lock-duration must be >= 1000 ms`);
  const running = await createPredictWorker({
    recipe,
    url: flags.queue,
    queueName: flags['queue-name'],
    concurrency: flags.concurrency,
    backend: flags.backend,
    lockDuration: flags['lock-duration'],
    log,
  });
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      log(`${signal} again: quitting now; the job in hand goes to another worker`);
      process.exit(130);
    }
    requested = true;
    log(`${signal}: finishing the job in hand, taking no new one (again to quit now)`);
    running.close().then(stopped, stopped);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await done;
    log('worker stopped');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
