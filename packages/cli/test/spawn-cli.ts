/**
 * The queue test app (test/queue-cli.mjs) as child processes, each as if on its own machine:
 * output collected, `waitFor` a line, `exited` with the code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const QUEUE_CLI = path.join(import.meta.dirname, 'queue-cli.mjs');
/** The same with tiled prediction, as the satellite app (large scenes become flows). */
export const TILED_QUEUE_CLI = path.join(import.meta.dirname, 'tiled-queue-cli.mjs');

export interface CliChild {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern` (rejects if the process ends first). */
  waitFor(pattern: RegExp | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

export function spawnCli(...args: string[]): CliChild {
  return spawnScript(QUEUE_CLI, ...args);
}

/** Another test app's `script` (e.g. tiled-queue-cli.mjs) as a child process. */
export function spawnScript(script: string, ...args: string[]): CliChild {
  const env = { ...process.env };
  delete env.UNET_DEBUG;
  const child = spawn(process.execPath, [script, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
  }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, output })));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = () =>
          typeof pattern === 'function' ? pattern(output) : pattern.test(output);
        const check = () => {
          if (!matches()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} in ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exited.then(() => {
          if (!listeners.has(check)) return;
          cleanup();
          if (matches()) resolve();
          else reject(new Error(`exited before ${pattern}; output:\n${output}`));
        });
        check();
      }),
  };
}

/**
 * The children one test file starts: `spawn` them, start `worker`s on a queue and wait until they
 * listen, stop them with SIGTERM, and `killAll` whatever is still running (in afterAll).
 */
export function cliChildren(script = QUEUE_CLI) {
  const children: CliChild[] = [];
  const spawnOne = (...args: string[]): CliChild => {
    const c = spawnScript(script, ...args);
    children.push(c);
    return c;
  };
  return {
    spawn: spawnOne,
    async startWorkers(count: number, url: string, ...args: string[]): Promise<CliChild[]> {
      const workers = Array.from({ length: count }, () =>
        spawnOne('worker', '--queue', url, ...args),
      );
      await Promise.all(workers.map((w) => w.waitFor(/worker \S+ on queue/)));
      return workers;
    },
    stopGracefully(workers: CliChild[]) {
      for (const w of workers) w.child.kill('SIGTERM');
      return Promise.all(workers.map((w) => w.exited));
    },
    async killAll(): Promise<void> {
      for (const c of children)
        if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
    },
  };
}
