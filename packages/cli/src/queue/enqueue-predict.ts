import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import { UsageError } from '../parse-flags.js';
import {
  maskFileOf,
  PARTIAL_DIR,
  type PredictJobData,
  type PredictJobResult,
  type TileSettings,
} from './predict-job.js';
import { bullConnection, checkRedis, openRedis, parseRedisUrl } from './redis-url.js';
import {
  type SceneJobData,
  type TileBatchJobData,
  type TileBatchResult,
  tileRange,
} from './scene-jobs.js';
import { planQueueJobs } from './scene-plan.js';
import { imageId } from './shard.js';

/** Options of {@link enqueuePredict}. */
export interface EnqueuePredictOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** BullMQ queue name the workers listen on. */
  queueName: string;
  /** The app's program name (workers of another app refuse the jobs). */
  program: string;
  /** Image files. */
  files: string[];
  model: string;
  out: string;
  threshold: number;
  overlay: boolean;
  /**
   * Tiled prediction (the recipe's `tile`, or a bundle's tiling). With it, an image of more than
   * one tile is enqueued as a flow: tile-batch jobs and a parent that stitches the scene. Absent:
   * every image is one job and the workers' recipe decides the tiling.
   */
  tile?: boolean | TileSettings;
  /** About this many tiles per tile-batch job (rounded up to whole prediction batches). Default 64. */
  tilesPerJob?: number;
  log: (line: string) => void;
  /** How often pending jobs are checked besides the events, ms. Default 2000. */
  reconcileMs?: number;
  /** Give up when Redis cannot be reached for this long mid-run, ms. Default 60000. */
  lostAfterMs?: number;
}

/** What {@link enqueuePredict} resolves to (it throws when an image failed). */
export interface EnqueuePredictSummary {
  runId: string;
  /** Images enqueued (a scene split into tile batches counts once). */
  enqueued: number;
  skipped: number;
  /** Of the images enqueued, the scenes split into tile-batch jobs. */
  scenes: number;
}

// Retries for crashes and lost locks; finished jobs kept a while for inspection.
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const LOCK_TTL_MS = 30_000;
// Extends or deletes the lock only while it is still ours.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The Redis key that lets one `predict` at a time use a queue. */
export function producerLockKey(queueName: string): string {
  return `unet:predict-lock:${queueName}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/**
 * `predict --queue`: enqueues one job per image whose mask is not written yet, follows the jobs
 * as workers anywhere finish them, and resolves when all are done; throws listing the images that
 * failed and why. One producer per queue name at a time (a Redis lock key); a second is refused.
 */
export async function enqueuePredict(
  options: EnqueuePredictOptions,
): Promise<EnqueuePredictSummary> {
  const { log, queueName } = options;
  const target = parseRedisUrl(options.url);
  const modelJson = path.join(options.model, 'model.json');
  await fs.access(modelJson).catch(() => {
    throw new UsageError(`predict: cannot load a model from ${options.model}: no model.json`);
  });
  const out = path.resolve(options.out);
  const names = new Map<string, string>();
  for (const file of options.files) {
    const name = imageId(file);
    const other = names.get(name);
    if (other)
      throw new UsageError(`predict: ${other} and ${file} would both write masks/${name}.png`);
    names.set(name, file);
  }
  const todo: string[] = [];
  for (const file of options.files) {
    const done = await fs.stat(maskFileOf(out, imageId(file))).catch(() => null);
    if (!done) todo.push(file);
  }
  const skipped = options.files.length - todo.length;
  if (skipped > 0)
    log(`${skipped} of ${options.files.length} masks already written in ${out}: skipped`);
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  if (todo.length === 0) {
    log(`all ${options.files.length} masks already written under ${path.join(out, 'masks')}`);
    return { runId, enqueued: 0, skipped, scenes: 0 };
  }
  await checkRedis(target, 'predict');

  const redis = openRedis(target);
  const lockKey = producerLockKey(queueName);
  let keepAlive: NodeJS.Timeout | undefined;
  let queue: Queue | undefined;
  let flows: FlowProducer | undefined;
  let events: QueueEvents | undefined;
  try {
    const taken = await redis.set(lockKey, runId, 'PX', LOCK_TTL_MS, 'NX');
    if (taken !== 'OK') {
      const holder = await redis.get(lockKey);
      throw new Error(
        `predict: queue '${queueName}' on ${target.label} is in use by another predict (run ${holder}); ` +
          'wait for it to finish, or pass another --queue-name (to workers too)',
      );
    }
    keepAlive = setInterval(() => {
      redis.eval(EXTEND, 1, lockKey, runId, String(LOCK_TTL_MS)).catch(() => {});
    }, LOCK_TTL_MS / 3);
    keepAlive.unref();

    const connection = bullConnection(target);
    queue = new Queue<PredictJobData, PredictJobResult>(queueName, { connection });
    events = new QueueEvents(queueName, { connection });
    flows = new FlowProducer({ connection });
    queue.on('error', () => {});
    flows.on('error', () => {});
    events.on('error', () => {});
    await withTimeout(events.waitUntilReady(), 10_000, `predict: Redis at ${target.label}`);
    // Waiting jobs left by a predict that died: nobody follows them any more (the lock was free).
    await queue.drain(true);

    const pending = new Map<string, PredictJobData | SceneJobData>();
    // Tile batches of scenes: only shown as progress; their scene's parent job is what counts.
    const batchesPending = new Map<string, TileBatchJobData>();
    const failures: { file: string; reason: string }[] = [];
    let finished = 0;
    const total = todo.length;
    let resolveDone!: () => void;
    const allDone = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const settle = (jobId: string, result?: PredictJobResult, failedReason?: string) => {
      const data = pending.get(jobId);
      if (!data) return;
      pending.delete(jobId);
      finished += 1;
      if (failedReason !== undefined) {
        failures.push({ file: data.file, reason: failedReason });
        log(`[${finished}/${total}] FAILED ${data.file}: ${failedReason}`);
      } else {
        const where = result?.worker ? ` (${result.worker})` : '';
        log(`[${finished}/${total}] ${result?.maskFile ?? maskFileOf(out, data.name)}${where}`);
      }
      if (pending.size === 0) resolveDone();
    };
    const check = async (jobId: string) => {
      const job = await Job.fromId<PredictJobData, PredictJobResult>(queue as Queue, jobId);
      if (!job) return settle(jobId, undefined, 'the job disappeared from the queue');
      const state = await job.getState();
      if (state === 'completed') settle(jobId, job.returnvalue);
      else if (state === 'failed') settle(jobId, undefined, job.failedReason || 'failed');
    };
    events.on('completed', ({ jobId, returnvalue }) => {
      const value = returnvalue as unknown;
      const result = typeof value === 'string' ? JSON.parse(value) : value;
      const batch = batchesPending.get(jobId);
      if (!batch) return settle(jobId, result as PredictJobResult);
      batchesPending.delete(jobId);
      log(`  ${batch.name}: ${tileRange(batch)} (${(result as TileBatchResult).worker})`);
    });
    events.on('failed', ({ jobId }) => {
      // Also sent for attempts that will be retried: only a job in the failed set is final.
      if (pending.has(jobId)) check(jobId).catch(() => {});
    });

    const plan = await planQueueJobs(
      todo.map((file) => path.resolve(file)),
      {
        runId,
        program: options.program,
        out,
        model: path.resolve(options.model),
        threshold: options.threshold,
        overlay: options.overlay,
      },
      options.tile,
      options.tilesPerJob ?? 64,
    );
    const jobs = plan.images.map(({ jobId, data }) => {
      pending.set(jobId, data);
      return { name: data.name, data, opts: { jobId, ...JOB_OPTIONS } };
    });
    for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
    // A scene is a flow: its parent waits in BullMQ until every tile batch is done.
    for (const scene of plan.scenes) {
      pending.set(scene.jobId, scene.data);
      for (const b of scene.batches) batchesPending.set(b.jobId, b.data);
      await flows.add({
        name: scene.data.name,
        queueName,
        data: scene.data,
        opts: { jobId: scene.jobId, ...JOB_OPTIONS },
        children: scene.batches.map((b) => ({
          name: `${scene.data.name}:tiles`,
          queueName,
          data: b.data,
          // The scene runs as soon as a batch fails for good, to fail naming it.
          opts: { jobId: b.jobId, ...JOB_OPTIONS, continueParentOnFailure: true },
        })),
      });
    }
    const batchCount = plan.scenes.reduce((n, s) => n + s.batches.length, 0);
    log(
      `run ${runId}: ${total} jobs on queue '${queueName}' at ${target.label}; ` +
        (plan.scenes.length > 0
          ? `${plan.scenes.length} large scenes in ${batchCount} tile-batch jobs; `
          : '') +
        `start workers with: ${options.program} worker --queue ${options.url}` +
        (queueName === options.program ? '' : ` --queue-name ${queueName}`),
    );

    // Events can be missed (a reconnect): check what is still pending now and then.
    const reconcileMs = options.reconcileMs ?? 2000;
    const lostAfterMs = options.lostAfterMs ?? 60_000;
    let lastContact = Date.now();
    let lost: Error | undefined;
    const reconcile = setInterval(async () => {
      try {
        const ids = [...pending.keys()].slice(0, 2000);
        await withTimeout(Promise.all(ids.map(check)), 5000, 'reconcile');
        lastContact = Date.now();
      } catch {
        if (Date.now() - lastContact > lostAfterMs) {
          lost = new Error(
            `predict: lost Redis at ${target.label} for ${Math.round(lostAfterMs / 1000)} s; ` +
              `${finished} of ${total} images were done (rerun with the same --out to finish the rest)`,
          );
          resolveDone();
        }
      }
    }, reconcileMs);
    try {
      await allDone;
    } finally {
      clearInterval(reconcile);
    }
    if (lost) throw lost;
    if (failures.length === 0) {
      await fs.rm(path.join(out, PARTIAL_DIR), { recursive: true, force: true });
      log(`${total} masks written under ${path.join(out, 'masks')}`);
      return { runId, enqueued: total, skipped, scenes: plan.scenes.length };
    }
    throw new Error(
      `predict: ${failures.length} of ${total} images failed:\n` +
        failures.map((f) => `- ${f.file}: ${f.reason}`).join('\n'),
    );
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    await events?.close().catch(() => {});
    await flows?.close().catch(() => {});
    await queue?.close().catch(() => {});
    await redis.eval(RELEASE, 1, lockKey, runId).catch(() => {});
    redis.disconnect();
  }
}
