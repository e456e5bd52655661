import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES, readJson, repoRoot, run } from './workspace.js';

const changesetBin = path.join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js');

// The release flow on a copy of the workspace's manifests: a new changeset for @unet/losses,
// then `changeset version`, must bump it, bump its internal dependents and write changelogs.
describe('changesets release flow', () => {
  let copy: string;
  const before = new Map<string, string>();
  const apps = new Map<string, string>();

  beforeAll(async () => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-release-'));
    for (const file of ['package.json', 'pnpm-workspace.yaml']) {
      fs.copyFileSync(path.join(repoRoot, file), path.join(copy, file));
    }
    fs.cpSync(path.join(repoRoot, '.changeset'), path.join(copy, '.changeset'), {
      recursive: true,
    });
    for (const name of PACKAGES) {
      const dir = path.join(copy, 'packages', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(
        path.join(repoRoot, 'packages', name, 'package.json'),
        path.join(dir, 'package.json'),
      );
      before.set(name, readJson<{ version: string }>(path.join(dir, 'package.json')).version);
    }
    // Private workspace packages (the apps) depend on the packages but are never versioned.
    for (const app of fs.readdirSync(path.join(repoRoot, 'apps'))) {
      const manifestFile = path.join(repoRoot, 'apps', app, 'package.json');
      if (!fs.existsSync(manifestFile)) continue;
      const dir = path.join(copy, 'apps', app);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(manifestFile, path.join(dir, 'package.json'));
      apps.set(app, readJson<{ version: string }>(manifestFile).version);
    }
    fs.writeFileSync(
      path.join(copy, '.changeset', 'release-flow-check.md'),
      '---\n"@unet/losses": minor\n---\n\nA loss added for the release-flow check.\n',
    );
    await run('git', ['init', '-q'], copy);
    await run(process.execPath, [changesetBin, 'version'], copy);
  });

  afterAll(() => {
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  const manifest = (name: string) =>
    readJson<{ version: string; dependencies?: Record<string, string> }>(
      path.join(copy, 'packages', name, 'package.json'),
    );

  it('bumps @unet/losses by a minor and writes its changelog', () => {
    const [major, minor] = before.get('losses')!.split('.').map(Number);
    expect(manifest('losses').version).toBe(`${major}.${minor! + 1}.0`);
    const changelog = fs.readFileSync(
      path.join(copy, 'packages', 'losses', 'CHANGELOG.md'),
      'utf8',
    );
    expect(changelog).toContain(`## ${manifest('losses').version}`);
    expect(changelog).toContain('A loss added for the release-flow check.');
  });

  it('bumps @unet/train, which depends on @unet/losses, and says why in its changelog', () => {
    expect(manifest('train').version).not.toBe(before.get('train'));
    const changelog = fs.readFileSync(path.join(copy, 'packages', 'train', 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`@unet/losses@${manifest('losses').version}`);
  });

  it('leaves the private apps unversioned', () => {
    expect(apps.size).toBeGreaterThan(0);
    for (const [app, version] of apps) {
      const dir = path.join(copy, 'apps', app);
      expect(readJson<{ version: string }>(path.join(dir, 'package.json')).version).toBe(version);
      expect(fs.existsSync(path.join(dir, 'CHANGELOG.md'))).toBe(false);
    }
  });

  it('consumes the changesets it released', () => {
    const left = fs.readdirSync(path.join(copy, '.changeset')).filter((f) => f.endsWith('.md'));
    expect(left.filter((f) => f !== 'README.md')).toEqual([]);
  });
});

describe('dry-run publish', () => {
  it('packs all four packages without publishing', async () => {
    const out = await run('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks'], repoRoot);
    for (const name of PACKAGES) expect(out).toContain(`@unet/${name}`);
  }, 300_000);
});
