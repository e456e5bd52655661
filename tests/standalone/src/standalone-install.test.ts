import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonJsTwin } from './commonjs-twin.js';
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
// smoke files in ../smoke/<package>/: smoke.mjs, the smoke.cjs made from it in the consumer
// (imports as `require`), and consumer.ts.
const smokeRoot = path.resolve(import.meta.dirname, '../smoke');
const TFJS_VERSION = readJson<{ devDependencies: Record<string, string> }>(
  path.join(repoRoot, 'package.json'),
).devDependencies['@tensorflow/tfjs']!;
const TSC = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
const tarballs = new Map<PackageName, string>();

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-standalone-'));
  for (const name of PACKAGES) tarballs.set(name, await packPackage(name, work));
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function makeConsumer(name: PackageName): Promise<string> {
  const dir = path.join(work, `consumer-${name}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-of-${name}`, version: '1.0.0', private: true }, null, 2),
  );
  fs.cpSync(path.join(smokeRoot, name), dir, { recursive: true });
  const esm = fs.readFileSync(path.join(dir, 'smoke.mjs'), 'utf8');
  fs.writeFileSync(path.join(dir, 'smoke.cjs'), commonJsTwin(esm, 'smoke.mjs'));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['consumer.ts'],
    }),
  );
  const own = [name, ...INTERNAL_DEPENDENCIES[name]].map((n) => tarballs.get(n)!);
  await run(
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

/**
 * Runs tsc (strict, NodeNext, `skipLibCheck: false`) in a consumer and returns its errors, except
 * those inside @tensorflow/*'s own declaration files: tfjs 4.x's .d.ts files do not pass a strict
 * check with current TypeScript (missing `Long`, `PyJsonValue` index signatures), so every tfjs
 * user needs `skipLibCheck`. Filtering them, instead of setting `skipLibCheck`, keeps our own
 * `.d.ts`/`.d.cts` files checked as well as the consumer's code.
 */
async function typeErrorsOutsideTfjs(dir: string): Promise<string[]> {
  try {
    await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], dir);
    return [];
  } catch (error) {
    const errors = String((error as Error).message)
      .split('\n')
      .filter((line) => /^\S.*: error TS\d+/.test(line));
    expect(errors.length, String((error as Error).message)).toBeGreaterThan(0);
    return errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'));
  }
}

describe.each(PACKAGES)('@unet/%s installed from its tarball outside the workspace', (name) => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeConsumer(name);
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

  it('works from ESM (import)', async () => {
    const out = await run(process.execPath, ['smoke.mjs'], dir, { TF_CPP_MIN_LOG_LEVEL: '2' });
    expect(out).toContain(`smoke ok: @unet/${name}`);
  });

  it('works from CommonJS (require)', async () => {
    const script = fs.readFileSync(path.join(dir, 'smoke.cjs'), 'utf8');
    expect(script).toContain(`require('@unet/${name}')`);
    expect(script).not.toMatch(/^\s*import\s/m);
    const out = await run(process.execPath, ['smoke.cjs'], dir, { TF_CPP_MIN_LOG_LEVEL: '2' });
    expect(out).toContain(`smoke ok: @unet/${name}`);
  });

  it('type-checks a TypeScript consumer of its public types', async () => {
    expect(await typeErrorsOutsideTfjs(dir)).toEqual([]);
  });

  it('ships the commands its package.json declares, each answering --help', async () => {
    // Only @unet/runtime has a command (the binding's setup); checking every package keeps a bin
    // added elsewhere from shipping untested.
    const installed = path.join(dir, 'node_modules', '@unet', name);
    const { bin = {} } = readJson<{ bin?: Record<string, string> }>(
      path.join(installed, 'package.json'),
    );
    expect(Object.keys(bin)).toEqual(name === 'runtime' ? ['unet-setup-tensorflow'] : []);
    for (const command of Object.keys(bin)) {
      const out = await run(path.join(dir, 'node_modules', '.bin', command), ['--help'], dir);
      expect(out).toContain(command);
      if (command === 'unet-setup-tensorflow') expect(out).toContain('UNET_TF_SOURCE');
    }
  });

  it('declares a tested peer range on TensorFlow.js', () => {
    const manifest = readJson<{ peerDependencies: Record<string, string> }>(
      path.join(packageDir(name), 'package.json'),
    );
    expect(manifest.peerDependencies['@tensorflow/tfjs']).toMatch(/^\^4\./);
  });
});
