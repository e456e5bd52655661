/**
 * The queue test app (test/queue-cli.mjs) as child processes, each as if on its own machine:
 * output collected, `waitFor` a line, `exited` with the code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const QUEUE_CLI = path.join(import.meta.dirname, 'queue-cli.mjs');

export interface CliChild {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern` (rejects if the process ends first). */
  waitFor(pattern: RegExp | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

export function spawnCli(...args: string[]): CliChild {
  const env = { ...process.env };
  delete env.UNET_DEBUG;
  const child = spawn(process.execPath, [QUEUE_CLI, ...args], {
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
