import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGES, packageDir, readJson, repoRoot, run } from './workspace.js';

const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

interface Manifest {
  name: string;
  license?: string;
  repository?: { url?: string; directory?: string };
  keywords?: string[];
  engines?: Record<string, string>;
  sideEffects?: boolean | string[];
  files?: string[];
  exports?: Record<string, unknown>;
  peerDependencies?: Record<string, string>;
}

describe.each(PACKAGES)('@unet/%s package metadata', (name) => {
  const dir = packageDir(name);
  const manifest = readJson<Manifest>(path.join(dir, 'package.json'));

  it('has what a registry user expects', () => {
    expect(manifest.name).toBe(`@unet/${name}`);
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.repository?.directory).toBe(`packages/${name}`);
    expect(manifest.keywords?.length).toBeGreaterThan(2);
    expect(manifest.engines?.node).toBe('>=20');
    expect(manifest.sideEffects).toBeDefined();
    expect(manifest.files).toContain('dist');
    expect(Object.keys(manifest.exports ?? {})).toEqual(['.', './package.json']);
  });

  it('passes publint --strict', async () => {
    const out = await run(bin('publint'), ['--strict'], dir);
    expect(out).toMatch(/All good!/);
  });

  it('passes @arethetypeswrong/cli for node10, node16 (ESM and CJS) and bundlers', async () => {
    const out = await run(bin('attw'), ['--pack', '.', '--format', 'table-flipped'], dir);
    expect(out).toMatch(/No problems found/);
  });
});

describe('API reference', () => {
  it('TypeDoc builds with no warnings (every public export documented)', async () => {
    const out = await run(bin('typedoc'), ['--treatWarningsAsErrors'], repoRoot);
    expect(out).not.toMatch(/\[warning\]/);
  });
});
