import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PACKAGES = ['layers', 'losses', 'infer', 'data', 'runtime', 'train', 'cli'] as const;
export type PackageName = (typeof PACKAGES)[number];

/** Internal dependencies each package needs installed beside it. */
export const INTERNAL_DEPENDENCIES: Record<PackageName, PackageName[]> = {
  layers: [],
  losses: [],
  infer: [],
  data: ['infer'],
  runtime: ['layers'],
  train: ['infer', 'losses', 'data', 'runtime', 'layers'],
  cli: ['infer', 'losses', 'data', 'runtime', 'train', 'layers'],
};

export function packageDir(name: PackageName): string {
  return path.join(repoRoot, 'packages', name);
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/**
 * Runs a command and returns its stdout; throws with its stdout and stderr when it fails.
 * Asynchronous on purpose: a synchronous child process (npm install, tsc, TypeDoc) would block
 * the vitest worker's event loop for long enough to time out its RPC with the main process.
 */
export async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
    );
  }
}

/** `pnpm pack` of one workspace package into `destination`; returns the tarball path. */
export async function packPackage(name: PackageName, destination: string): Promise<string> {
  const out = await run('pnpm', ['pack', '--pack-destination', destination], packageDir(name));
  const tarball = out
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack printed no tarball for @unet/${name}:\n${out}`);
  return path.isAbsolute(tarball) ? tarball : path.join(destination, path.basename(tarball));
}
