import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Which workspace packages each package's sources may import (the one-way layering). */
export const ALLOWED_IMPORTS: Record<string, readonly string[]> = {
  '@unet/layers': [],
  '@unet/losses': [],
  '@unet/infer': [],
  '@unet/data': ['@unet/infer'],
  '@unet/runtime': ['@unet/layers'],
  '@unet/train': ['@unet/infer', '@unet/layers', '@unet/losses', '@unet/data', '@unet/runtime'],
  '@unet/cli': [
    '@unet/infer',
    '@unet/layers',
    '@unet/losses',
    '@unet/data',
    '@unet/runtime',
    '@unet/train',
  ],
};

/** Packages that run in a browser: no Node built-in, no native module. */
export const BROWSER_PACKAGES = ['@unet/layers', '@unet/losses', '@unet/infer'] as const;
const NODE_ONLY_MODULES = new Set(['sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);

export interface SourceImport {
  file: string;
  line: number;
  specifier: string;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  /** Non-test TypeScript sources under src/. */
  sources: string[];
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full);
    return [full];
  });
}

/** The packages under packages/ and apps/, with their sources. */
export function workspacePackages(): WorkspacePackage[] {
  return ['packages', 'apps'].flatMap((group) =>
    fs.readdirSync(path.join(repoRoot, group)).flatMap((name) => {
      const dir = path.join(repoRoot, group, name);
      const manifest = path.join(dir, 'package.json');
      if (!fs.existsSync(manifest) || !fs.existsSync(path.join(dir, 'src'))) return [];
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string };
      const sources = walk(path.join(dir, 'src')).filter(
        (f) =>
          /\.(ts|mts|mjs|js)$/.test(f) && !/\.test\.|test-helpers|test-support|fixtures/.test(f),
      );
      return [{ name: pkg.name, dir, sources }];
    }),
  );
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Every static or dynamic import specifier of a source file, with its line. */
export function importsOf(file: string): SourceImport[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: SourceImport[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!specifier) continue;
    const line = text.slice(0, match.index).split('\n').length;
    found.push({ file: path.relative(repoRoot, file), line, specifier });
  }
  return found;
}

/** The package name a specifier refers to (`@scope/name/x` -> `@scope/name`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));
}

export function isNodeOnly(specifier: string): boolean {
  return isNodeBuiltin(specifier) || NODE_ONLY_MODULES.has(packageOf(specifier));
}

/** Problems with one package's imports: wrong direction, another package's internals, escapes. */
export function layeringProblems(pkg: WorkspacePackage): string[] {
  const problems: string[] = [];
  const allowed = ALLOWED_IMPORTS[pkg.name];
  for (const file of pkg.sources) {
    for (const { file: rel, line, specifier } of importsOf(file)) {
      const where = `${rel}:${line}`;
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        if (!target.startsWith(pkg.dir + path.sep)) {
          problems.push(`${where} reaches outside ${pkg.name}: '${specifier}'`);
        }
        continue;
      }
      if (!specifier.startsWith('@unet/')) continue;
      if (specifier !== packageOf(specifier)) {
        problems.push(`${where} imports another package's internals: '${specifier}'`);
      }
      const target = packageOf(specifier);
      // Apps may import any package; packages only those below them.
      if (allowed && !allowed.includes(target)) {
        problems.push(
          `${where}: ${pkg.name} may not import ${target} (allowed: ${allowed.join(', ') || 'none'})`,
        );
      }
    }
  }
  return problems;
}
