import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '@unet/runtime';
import { UnrecoverableError, Worker } from 'bullmq';
import { loadCommandModel } from '../load-command-model.js';
import type { SegmentationRecipe } from '../recipe.js';
import {
  BadInputError,
  type PredictJobData,
  type PredictJobResult,
  runPredictJob,
  workerId,
} from './predict-job.js';
import { bullConnection, checkRedis, parseRedisUrl } from './redis-url.js';
import {
  runSceneJob,
  runTileBatchJob,
  type SceneJobData,
  type TileBatchJobData,
  type TileBatchResult,
  tileRange,
} from './scene-jobs.js';

type QueueJobData = PredictJobData | SceneJobData | TileBatchJobData;
type QueueJobResult = PredictJobResult | TileBatchResult;

/** Options of {@link createPredictWorker}. */
export interface PredictWorkerOptions {
  recipe: SegmentationRecipe;
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** Default: the recipe's program name. */
  queueName?: string;
  /** Jobs run at once in this process. Default 1. */
  concurrency?: number;
  /** TensorFlow.js backend. Default `auto`. */
  backend?: string;
  /**
   * How long a job's lock lasts without renewal, ms (BullMQ `lockDuration`; the stalled-job
   * check runs as often). A worker that dies loses its job to another after about this long.
   * Default 30000.
   */
  lockDuration?: number;
  log?: (line: string) => void;
}

/**
 * A running worker: `close()` finishes the jobs in hand, takes no new one and resolves. (No
 * BullMQ type in the public API: its declarations need optional peers to type-check.)
 */
export interface PredictWorker {
  /** `host:pid`, as the progress lines of `predict --queue` name it. */
  id: string;
  /** The queue it takes jobs from. */
  queueName: string;
  close(): Promise<void>;
}

/**
 * Takes `predict --queue` jobs of this app from the queue and writes their masks. Any number of
 * workers on any machines can share a queue; the files (images, model, --out) must be at the
 * same paths on all of them (e.g. a shared mount).
 */
export async function createPredictWorker(options: PredictWorkerOptions): Promise<PredictWorker> {
  const { recipe } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const target = parseRedisUrl(options.url);
  const queueName = options.queueName ?? recipe.program;
  await checkRedis(target, 'worker');
  await initBackend((options.backend ?? 'auto') as Parameters<typeof initBackend>[0], {
    log,
    warn: log,
  });

  // The model of the jobs, reloaded when another folder or a rewritten model.json comes.
  let cached: { key: string; model: Promise<tf.LayersModel> } | undefined;
  const modelFor = async (dir: string): Promise<tf.LayersModel> => {
    const stat = await fs.stat(path.join(dir, 'model.json')).catch(() => null);
    const key = `${dir}@${stat?.mtimeMs ?? 0}`;
    if (cached?.key !== key) {
      const previous = cached;
      cached = { key, model: loadCommandModel('worker', dir) };
      cached.model.catch(() => {});
      previous?.model.then((m) => m.dispose()).catch(() => {});
    }
    return cached.model;
  };

  const lockDuration = options.lockDuration ?? 30_000;
  const worker = new Worker<QueueJobData, QueueJobResult>(
    queueName,
    async (job, token) => {
      const data = job.data;
      if (data.program !== recipe.program) {
        throw new UnrecoverableError(
          `job for ${data.program}, taken by a ${recipe.program} worker: give each app its own --queue-name`,
        );
      }
      const what = data.kind === 'tiles' ? `${data.name} ${tileRange(data)}` : data.name;
      log(`start ${what} (job ${job.id}, attempt ${job.attemptsMade + 1})`);
      const started = Date.now();
      // A worker whose lock ran out (its event loop blocked past lockDuration) may see its job
      // handed to another: then it writes nothing, the other one does.
      const beforeCommit = async () => {
        if (token && !(await job.extendLock(token, lockDuration))) {
          throw new Error(`lost the lock of job ${job.id} to another worker; not writing it`);
        }
      };
      try {
        const model = await modelFor(data.model);
        if (data.kind === 'tiles') {
          const batch = await runTileBatchJob(recipe, model, data, beforeCommit);
          log(`wrote ${what} (${Date.now() - started} ms)`);
          return batch;
        }
        let result: PredictJobResult;
        if (data.kind === 'scene') {
          // Children are flagged continueParentOnFailure: the scene runs as soon as one fails,
          // drops the batches not started and fails naming that batch's reason.
          const [failure] = Object.values(await job.getIgnoredChildrenFailures());
          if (failure !== undefined) {
            await job.removeUnprocessedChildren().catch(() => {});
            throw new BadInputError(failure);
          }
          const batches = Object.values(await job.getChildrenValues<TileBatchResult>());
          result = await runSceneJob(recipe, model, data, batches, beforeCommit);
        } else {
          result = await runPredictJob(recipe, model, data, beforeCommit);
        }
        log(`wrote ${result.maskFile} (${Date.now() - started} ms)`);
        return result;
      } catch (error) {
        const first = (error as Error).message.split('\n')[0] ?? String(error);
        const message = data.kind === 'tiles' ? `${tileRange(data)}: ${first}` : first;
        log(`failed ${data.file}: ${message}`);
        if (error instanceof BadInputError) throw new UnrecoverableError(message);
        if (message !== first) throw new Error(message, { cause: error });
        throw error;
      }
    },
    {
      connection: bullConnection(target),
      concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 3,
    },
  );
  worker.on('error', (error) => log(`worker: ${error.message}`));
  await worker.waitUntilReady();
  log(
    `worker ${workerId} on queue '${queueName}' at ${target.label}, concurrency ${worker.opts.concurrency}`,
  );
  let closing: Promise<void> | undefined;
  return {
    id: workerId,
    queueName,
    close: () => {
      closing ??= (async () => {
        await worker.close();
        const model = await cached?.model.catch(() => undefined);
        model?.dispose();
      })();
      return closing;
    },
  };
}
