import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UsageError } from '../parse-flags.js';

/** Where a queue lives: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` as ioredis options. */
export interface RedisTarget {
  /** The URL as given (shown in messages, without its password). */
  label: string;
  options: RedisOptions;
}

/** Parses `--queue redis://HOST:PORT[/DB]`; anything else is a usage error. */
export function parseRedisUrl(url: string, flag = '--queue'): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${flag} must be redis://HOST:PORT[/DB], got '${url}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(`${flag} must be redis://HOST:PORT[/DB], got '${url}'`);
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new UsageError(`${flag}: database must be a whole number, got '${dbText}' in '${url}'`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new UsageError(`${flag}: no host in '${url}'`);
  const options: RedisOptions = {
    host,
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = {};
  const label = `${parsed.protocol}//${host}:${options.port}/${db}`;
  return { label, options };
}

/**
 * Connects once, without retrying, and pings: an unreachable or refusing Redis fails within
 * `timeoutMs` with a message naming it (BullMQ alone would retry forever).
 */
export async function checkRedis(target: RedisTarget, command: string, timeoutMs = 3000) {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let socketError: Error | undefined;
  client.on('error', (error: Error) => {
    socketError ??= error;
  });
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
  } catch (error) {
    const cause = socketError ?? (error as Error);
    const reason = cause.message.split('\n')[0] || String(error);
    throw new Error(`${command}: cannot reach Redis at ${target.label}: ${reason}`);
  } finally {
    client.disconnect();
  }
}

/** A connected ioredis client for the lock and checks (retries a few times, then errors). */
export function openRedis(target: RedisTarget): Redis {
  const client = new Redis({ ...target.options, maxRetriesPerRequest: 3, connectTimeout: 3000 });
  client.on('error', () => {});
  return client;
}

/** The connection options BullMQ's Queue, QueueEvents and Worker take for `target`. */
export function bullConnection(target: RedisTarget): ConnectionOptions {
  const { host, port, db, username, password, tls } = target.options;
  return { host, port, db, username, password, tls };
}
