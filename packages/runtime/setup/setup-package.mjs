// The order of attempts for one native package: works already -> cached build ->
// tfjs-node's own download -> build against a wheel's or the user's libtensorflow.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildBinding, linkDeps } from './binding.mjs';
import { BINDING_PATCH_ID, BINDING_PATCH_LEVEL } from './binding-patch.mjs';
import { libtensorflowCacheDir, libtensorflowFromWheel } from './libtensorflow.mjs';
import { log, warn } from './log.mjs';
import { DEFAULT_GPU_WHEEL, DEFAULT_WHEEL } from './options.mjs';
import { bindingLoads, bindingPath, napiBuildVersion } from './tfjs-package.mjs';

function cachedBindingFile(pkg, options, libId) {
  const key = `${pkg.name.replace(/[@/]/g, '_')}-${pkg.version}-napi${napiBuildVersion(pkg)}-${libId}-patch${BINDING_PATCH_ID}`;
  return path.join(options.cacheDir, 'bindings', key, 'tfjs_binding.node');
}

function copyAtomically(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  fs.copyFileSync(from, tmp);
  fs.renameSync(tmp, to);
}

/** pnpm hard-links package files to its store: give package.json its own inode before it is edited. */
function detachFromStore(file) {
  const text = fs.readFileSync(file);
  fs.unlinkSync(file);
  fs.writeFileSync(file, text);
}

function tryOfficialDownload(pkg, options) {
  log(`trying ${pkg.name}'s own download of libtensorflow and its prebuilt binding`);
  detachFromStore(path.join(pkg.dir, 'package.json'));
  const bin = path.join(pkg.dir, 'node_modules', '.bin');
  const kind = pkg.name.endsWith('-gpu') ? 'gpu' : 'cpu';
  const result = spawnSync(process.execPath, ['scripts/install.js', kind, 'download'], {
    cwd: pkg.dir,
    encoding: 'utf8',
    timeout: options.downloadTimeoutMs,
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
  });
  const loads = result.status === 0 && bindingLoads(pkg).ok;
  if (!loads) {
    const lines = `${result.stderr}\n${result.stdout}`.split('\n');
    const reason =
      result.error?.message ?? lines.find((l) => /Error|ENOTFOUND|ECONN|403|404/.test(l))?.trim();
    warn(
      `${pkg.name}'s own download did not give a working binding: ${reason || 'binding does not load'}`,
    );
  }
  return loads;
}

function buildAgainst(pkg, options, fromDirs, lib) {
  linkDeps(pkg, lib.dir);
  const cached = cachedBindingFile(pkg, options, lib.id);
  if (!options.rebuild && fs.existsSync(cached)) {
    copyAtomically(cached, bindingPath(pkg));
    if (bindingLoads(pkg).ok) return `cached binding built against ${lib.id}`;
    warn(`cached binding ${cached} does not load; rebuilding`);
  }
  const built = buildBinding(pkg, fromDirs);
  const probe = bindingLoads(pkg);
  if (!probe.ok)
    throw new Error(`the binding built against ${lib.id} does not load: ${probe.detail}`);
  copyAtomically(built, cached);
  return `built against ${lib.id}`;
}

function userLibrary(options) {
  const id = `libdir-${crypto.createHash('sha1').update(fs.realpathSync(options.libDir)).digest('hex').slice(0, 10)}`;
  return { dir: options.libDir, id };
}

/** tfjs-node-gpu needs the CUDA build of the library, which the plain `tensorflow` wheel carries on Linux. */
function wheelFor(pkg, options) {
  if (options.wheel) return options.wheel;
  return pkg.name.endsWith('-gpu') ? DEFAULT_GPU_WHEEL : DEFAULT_WHEEL;
}

/**
 * A binding that loads but predates our patch (tfjs-node's prebuilt one, or one of ours from an
 * older release) is rebuilt against the library beside it; if that fails, the old one stays.
 */
function upgradeBinding(pkg, fromDirs) {
  if (!fs.existsSync(path.join(pkg.dir, 'deps', 'lib', 'libtensorflow.so'))) {
    return 'binding already loads (prebuilt, without the fused-op patch: fused kernels off)';
  }
  const current = bindingPath(pkg);
  const backup = `${current}.${process.pid}.bak`;
  fs.copyFileSync(current, backup);
  try {
    buildBinding(pkg, fromDirs);
    const probe = bindingLoads(pkg);
    if (probe.ok && probe.patchLevel >= BINDING_PATCH_LEVEL)
      return 'binding rebuilt with the fused-op patch';
    throw new Error(probe.ok ? 'the rebuilt binding lacks the patch' : probe.detail);
  } catch (error) {
    fs.renameSync(backup, current);
    warn(
      `kept the existing binding; rebuilding it with the fused-op patch failed: ${error.message}`,
    );
    return 'binding already loads (without the fused-op patch: fused kernels off)';
  } finally {
    fs.rmSync(backup, { force: true });
  }
}

/** @returns {{ ok: boolean, how: string }} */
export function setupNativePackage(pkg, options, fromDirs) {
  if (!options.rebuild && options.source !== 'libdir') {
    const probe = bindingLoads(pkg);
    if (probe.ok && probe.patchLevel >= BINDING_PATCH_LEVEL) {
      return { ok: true, how: 'binding already loads' };
    }
    if (probe.ok) return { ok: true, how: upgradeBinding(pkg, fromDirs) };
  }
  const errors = [];
  if (options.source === 'libdir') {
    try {
      return { ok: true, how: buildAgainst(pkg, options, fromDirs, userLibrary(options)) };
    } catch (error) {
      return { ok: false, how: error.message };
    }
  }
  const wheel = wheelFor(pkg, options);
  const wheelCached = fs.existsSync(path.join(libtensorflowCacheDir(options, wheel), '.complete'));
  // A library extracted before means this machine already went the wheel way: do not wait on a download again.
  if ((options.source === 'auto' && !wheelCached) || options.source === 'download') {
    if (tryOfficialDownload(pkg, options)) return { ok: true, how: "tfjs-node's own download" };
    errors.push("tfjs-node's own download failed");
    if (options.source === 'download') return { ok: false, how: errors.join('; ') };
  }
  try {
    const lib = libtensorflowFromWheel({ ...options, wheel });
    return { ok: true, how: buildAgainst(pkg, options, fromDirs, lib) };
  } catch (error) {
    errors.push(error.message);
    return { ok: false, how: errors.join('; ') };
  }
}
