#!/usr/bin/env node
import path from 'node:path';
// Makes @tensorflow/tfjs-node(-gpu) load on this machine. Run by the workspace's postinstall;
// users outside the monorepo run `npx unet-setup-tensorflow`. See --help.
import { fileURLToPath } from 'node:url';
import { log, warn } from '../setup/log.mjs';
import { HELP, readOptions, SetupUsageError, USAGE_EXIT_CODE } from '../setup/options.mjs';
import { setupNativePackage } from '../setup/setup-package.mjs';
import { findNativePackages } from '../setup/tfjs-package.mjs';

let options;
try {
  options = readOptions();
} catch (error) {
  if (!(error instanceof SetupUsageError)) throw error;
  console.error(`unet-setup-tensorflow: error: ${error.message}`);
  process.exit(USAGE_EXIT_CODE);
}
if (options.help) {
  console.log(HELP);
  process.exit(0);
}
if (options.skip) {
  log('skipped (UNET_TF_SKIP=1)');
  process.exit(0);
}

const trainDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fromDirs = [process.env.INIT_CWD ?? process.cwd(), process.cwd(), trainDir];
const packages = findNativePackages(fromDirs);
if (packages.length === 0) {
  log('neither @tensorflow/tfjs-node nor @tensorflow/tfjs-node-gpu is installed; nothing to do');
  process.exit(0);
}

let failures = 0;
for (const pkg of packages) {
  const started = Date.now();
  const outcome = setupNativePackage(pkg, options, fromDirs);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (outcome.ok) {
    log(`${pkg.name} ${pkg.version}: ${outcome.how} (${seconds} s)`);
  } else {
    failures++;
    warn(
      `${pkg.name} ${pkg.version} has no working native binding (${outcome.how}). ` +
        "initBackend('auto') will fall back to wasm/cpu, far slower for training. " +
        'To get the native engine: make python3 with pip able to download tensorflow-cpu ' +
        '(then rerun `npx unet-setup-tensorflow`), or point UNET_LIBTENSORFLOW_DIR at a ' +
        'TensorFlow C library (include/ + lib/).',
    );
  }
}
process.exit(failures > 0 && options.strict ? 1 : 0);
