import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_IMPORTS,
  BROWSER_PACKAGES,
  importsOf,
  isNodeOnly,
  layeringProblems,
  packageOf,
  repoRoot,
  workspacePackages,
} from './layout.js';

const packages = workspacePackages();

describe('package layering', () => {
  it('finds every package of the layout', () => {
    const names = packages.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(Object.keys(ALLOWED_IMPORTS)));
    for (const p of packages) expect(p.sources.length, p.name).toBeGreaterThan(0);
  });

  it.each(packages.map((p) => [p.name, p] as const))('%s imports only downwards', (_name, pkg) => {
    expect(layeringProblems(pkg)).toEqual([]);
  });

  it.each(Object.keys(ALLOWED_IMPORTS))('%s declares what it imports, and no more', (name) => {
    const pkg = packages.find((p) => p.name === name)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const declared = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@unet/'));
    const used = new Set(
      pkg.sources
        .flatMap(importsOf)
        .map((i) => i.specifier)
        .filter((s) => s.startsWith('@unet/'))
        .map(packageOf),
    );
    expect(declared.sort()).toEqual([...used].sort());
  });

  it.each(BROWSER_PACKAGES)('%s uses no Node built-in or native module', (name) => {
    const pkg = packages.find((p) => p.name === name)!;
    const nodeOnly = pkg.sources
      .flatMap(importsOf)
      .filter((i) => isNodeOnly(i.specifier))
      .map((i) => `${i.file}:${i.line} '${i.specifier}'`);
    expect(nodeOnly).toEqual([]);
  });

  it('catches a wrong-way import and a reach into internals (the check itself)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-layering-'));
    try {
      const file = path.join(dir, 'src', 'bad.ts');
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(
        file,
        "import { train } from '@unet/train';\nimport { x } from '@unet/data/src/cache';\nimport fs from 'node:fs';\n",
      );
      const problems = layeringProblems({ name: '@unet/infer', dir, sources: [file] });
      expect(problems.join('\n')).toMatch(/@unet\/infer may not import @unet\/train/);
      expect(problems.join('\n')).toMatch(/another package's internals: '@unet\/data\/src\/cache'/);
      expect(importsOf(file).filter((i) => isNodeOnly(i.specifier))).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('@unet/infer in a browser bundle', () => {
  it('bundles with esbuild for the browser platform without any Node built-in', async () => {
    const entry = path.join(repoRoot, 'packages', 'infer', 'dist', 'index.js');
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // tfjs is the page's own (a peer dependency); everything else must bundle.
      external: ['@tensorflow/tfjs'],
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('packages/infer/dist'))).toBe(true);
    const imports = Object.values(result.metafile.outputs).flatMap((o) =>
      o.imports.map((i) => i.path),
    );
    expect(imports.filter((i) => i !== '@tensorflow/tfjs')).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('predictTiled');
    expect(code).not.toMatch(/require\(["'](node:)?(fs|path|os|child_process)["']\)/);
  });
});
