// Finding an installed tfjs-node(-gpu) package and checking that its binding loads.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** Installed native packages visible from `fromDirs`, deduplicated by real path. */
export function findNativePackages(fromDirs) {
  const found = new Map();
  for (const from of fromDirs) {
    const require = createRequire(path.join(from, 'package.json'));
    for (const name of NATIVE_PACKAGES) {
      try {
        const manifest = require.resolve(`${name}/package.json`);
        const dir = fs.realpathSync(path.dirname(manifest));
        if (!found.has(dir)) {
          const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
          found.set(dir, { name, version: pkg.version, dir, binary: pkg.binary });
        }
      } catch {
        // not installed here
      }
    }
  }
  return [...found.values()];
}

/** The N-API version node-pre-gyp picks: the highest the package lists that this Node supports. */
export function napiBuildVersion(pkg) {
  const supported = Number(process.versions.napi);
  const listed = (pkg.binary?.napi_versions ?? []).filter((v) => v <= supported);
  if (listed.length === 0) throw new Error(`${pkg.name} lists no N-API version this Node supports`);
  return Math.max(...listed);
}

export function bindingPath(pkg) {
  return path.join(pkg.dir, 'lib', `napi-v${napiBuildVersion(pkg)}`, 'tfjs_binding.node');
}

/**
 * Loads the package in a child process (a crash there must not take the installer down) and
 * reads the binding's UNET_PATCH_LEVEL (0 for a binding built from tfjs-node's own sources).
 */
export function bindingLoads(pkg) {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const tf = require(${JSON.stringify(pkg.dir)}); tf.tensor([1, 2]).square().dataSync();` +
        'process.stdout.write(String(tf.backend().binding.UNET_PATCH_LEVEL ?? 0));',
    ],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
  );
  return {
    ok: probe.status === 0,
    patchLevel: Number.parseInt(probe.stdout, 10) || 0,
    detail: (probe.stderr || probe.error?.message || '').trim(),
  };
}
