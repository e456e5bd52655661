import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PACKAGES = ['layers', 'losses', 'data', 'train'] as const;
export type PackageName = (typeof PACKAGES)[number];

/** Internal dependencies each package needs installed beside it. */
export const INTERNAL_DEPENDENCIES: Record<PackageName, PackageName[]> = {
  layers: [],
  losses: [],
  data: [],
  train: ['layers', 'losses', 'data'],
};

export function packageDir(name: PackageName): string {
  return path.join(repoRoot, 'packages', name);
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
    );
  }
}

/** `pnpm pack` of one workspace package into `destination`; returns the tarball path. */
export function packPackage(name: PackageName, destination: string): string {
  const out = run('pnpm', ['pack', '--pack-destination', destination], packageDir(name));
  const tarball = out
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack printed no tarball for @unet/${name}:\n${out}`);
  return path.isAbsolute(tarball) ? tarball : path.join(destination, path.basename(tarball));
}
