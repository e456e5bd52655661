/** Types of redis-server.mjs (plain JavaScript so that the queue benchmark runs it too). */
export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number>;

/** redis-server on a free loopback port, no persistence, in a temp folder. */
export function startRedis(): Promise<TestRedis>;
