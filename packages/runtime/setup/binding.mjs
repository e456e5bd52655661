// Building tfjs-node's native binding with node-gyp against a given libtensorflow.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { patchBindingSources } from './binding-patch.mjs';
import { checkLibtensorflowDir } from './libtensorflow.mjs';
import { log, warn } from './log.mjs';
import { bindingPath, napiBuildVersion } from './tfjs-package.mjs';

function nodeGypScript(fromDirs) {
  for (const from of fromDirs) {
    try {
      return createRequire(path.join(from, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    } catch {
      // try the next place
    }
  }
  // npm ships node-gyp; it sits beside node in a standard install.
  const bundled = path.resolve(
    path.dirname(process.execPath),
    '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  );
  if (fs.existsSync(bundled)) return bundled;
  throw new Error(
    'node-gyp not found: install it (npm i -g node-gyp) or add it to devDependencies',
  );
}

/** Node's own headers, so node-gyp need not download them (it cannot offline). */
function nodeHeadersDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm && fs.existsSync(path.join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return undefined;
}

/** Points the package's deps/ at the library: deps/include and deps/lib as tfjs-node's binding.gyp expects. */
export function linkDeps(pkg, libDir) {
  const { main, framework } = checkLibtensorflowDir(libDir);
  const deps = path.join(pkg.dir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(libDir, 'include'), path.join(deps, 'include'));
  // Link-time names (-ltensorflow) and the run-time SONAMEs the binding records.
  const names = new Set(['libtensorflow.so', 'libtensorflow.so.2', path.basename(main)]);
  for (const name of names) fs.symlinkSync(main, path.join(deps, 'lib', name));
  for (const name of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']) {
    fs.symlinkSync(framework, path.join(deps, 'lib', name));
  }
}

export function buildBinding(pkg, fromDirs) {
  const patched = patchBindingSources(pkg.dir);
  if (patched !== 'applied' && patched !== 'present') {
    warn(`building ${pkg.name} without the fused-op patch (${patched}); fused kernels stay off`);
  }
  const napi = napiBuildVersion(pkg);
  const modulePath = path.dirname(bindingPath(pkg));
  const args = [
    nodeGypScript(fromDirs),
    'rebuild',
    `--napi_build_version=${napi}`,
    '--module_name=tfjs_binding',
    `--module_path=${modulePath}`,
  ];
  const nodedir = nodeHeadersDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  log(`building ${pkg.name} ${pkg.version} binding (N-API ${napi}) with node-gyp; about a minute`);
  const result = spawnSync(process.execPath, args, { cwd: pkg.dir, encoding: 'utf8' });
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`node-gyp rebuild in ${pkg.dir} failed:\n${tail}`);
  }
  return bindingPath(pkg);
}
