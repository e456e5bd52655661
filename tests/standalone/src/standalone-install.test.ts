import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INTERNAL_DEPENDENCIES,
  PACKAGES,
  type PackageName,
  packageDir,
  packPackage,
  readJson,
  repoRoot,
  run,
} from './workspace.js';

// Each package is packed, installed with npm into its own project outside the workspace (with
// only its declared dependencies and peers), and used from ESM, CommonJS and TypeScript by the
// smoke files in ../smoke/<package>/.
const smokeRoot = path.resolve(import.meta.dirname, '../smoke');
const TFJS_VERSION = readJson<{ devDependencies: Record<string, string> }>(
  path.join(repoRoot, 'package.json'),
).devDependencies['@tensorflow/tfjs']!;
const TSC = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
const tarballs = new Map<PackageName, string>();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-standalone-'));
  for (const name of PACKAGES) tarballs.set(name, packPackage(name, work));
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function makeConsumer(name: PackageName): string {
  const dir = path.join(work, `consumer-${name}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-of-${name}`, version: '1.0.0', private: true }, null, 2),
  );
  fs.cpSync(path.join(smokeRoot, name), dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        types: ['node'],
      },
      files: ['consumer.ts'],
    }),
  );
  const own = [name, ...INTERNAL_DEPENDENCIES[name]].map((n) => tarballs.get(n)!);
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...own,
      `@tensorflow/tfjs@${TFJS_VERSION}`,
      '@types/node@20',
    ],
    dir,
  );
  return dir;
}

describe.each(PACKAGES)('@unet/%s installed from its tarball outside the workspace', (name) => {
  let dir: string;
  beforeAll(() => {
    dir = makeConsumer(name);
  });

  it('ships dist and README but no tests or sources', () => {
    const installed = path.join(dir, 'node_modules', '@unet', name);
    const files = fs.readdirSync(path.join(installed, 'dist'));
    expect(files).toEqual(
      expect.arrayContaining(['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']),
    );
    expect(fs.existsSync(path.join(installed, 'README.md'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'src'))).toBe(false);
    const all = fs.readdirSync(installed, { recursive: true }).map(String);
    expect(all.filter((f) => /\.test\.|test-results/.test(f))).toEqual([]);
  });

  it('works from ESM (import)', () => {
    const out = run(process.execPath, ['smoke.mjs'], dir, { TF_CPP_MIN_LOG_LEVEL: '2' });
    expect(out).toContain(`smoke ok: @unet/${name}`);
  });

  it('works from CommonJS (require)', () => {
    const out = run(process.execPath, ['smoke.cjs'], dir, { TF_CPP_MIN_LOG_LEVEL: '2' });
    expect(out).toContain(`smoke ok: @unet/${name}`);
  });

  it('type-checks a TypeScript consumer of its public types', () => {
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir);
  });

  it('declares a tested peer range on TensorFlow.js', () => {
    const manifest = readJson<{ peerDependencies: Record<string, string> }>(
      path.join(packageDir(name), 'package.json'),
    );
    expect(manifest.peerDependencies['@tensorflow/tfjs']).toMatch(/^\^4\./);
  });
});
