// Settings of the TensorFlow runtime setup, from flags and environment variables.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const DEFAULT_WHEEL = 'tensorflow-cpu==2.21.0';
export const DEFAULT_GPU_WHEEL = 'tensorflow==2.21.0';

export const HELP = `unet-setup-tensorflow: make @tensorflow/tfjs-node(-gpu) load on this machine

Order: a binding that already loads -> one built before (cache) -> tfjs-node's own
download -> the TensorFlow C library inside a Python wheel (pip) or a directory
you name. It never fails the install: when nothing works it says so, and
initBackend('auto') falls back to wasm/cpu.

Bindings it builds carry two additions to tfjs-node's sources (list(string) and
list(type) op attributes, which TensorFlow's fused convolution needs; the
binding then reports UNET_PATCH_LEVEL). A binding that loads without them is
rebuilt against the library beside it, and kept as it is if that fails: it
works, with @unet/runtime's fused convolution kernels off.

Flags (each has an environment variable, for 'pnpm install'):
  --force-wheel           skip tfjs-node's own download        UNET_TF_SOURCE=wheel
  --download-only         only try tfjs-node's own download    UNET_TF_SOURCE=download
  --libtensorflow DIR     use DIR/include + DIR/lib             UNET_LIBTENSORFLOW_DIR
  --wheel REQ             pip requirement holding the library   UNET_TF_WHEEL
                          (default ${DEFAULT_WHEEL}; for tfjs-node-gpu
                          ${DEFAULT_GPU_WHEEL}, the CUDA build; CUDA and cuDNN
                          libraries must be on the loader path)
  --cache DIR             where libraries and bindings are kept UNET_TF_CACHE_DIR
                          (default \${XDG_CACHE_HOME:-~/.cache}/unet-tensorflow)
  --python EXE            python with pip                       UNET_TF_PYTHON (python3)
  --rebuild               rebuild even if the binding loads     UNET_TF_REBUILD=1
  --strict                exit 1 when no native binding works   UNET_TF_STRICT=1
  --skip                  do nothing                            UNET_TF_SKIP=1
  -h, --help              this text
`;

/** A bad command line: the bin prints the message on one line and exits with USAGE_EXIT_CODE. */
export class SetupUsageError extends Error {
  name = 'SetupUsageError';
}

/** Exit code for a bad command line, as for the apps' CLIs (1 stays "no binding, --strict"). */
export const USAGE_EXIT_CODE = 2;

// Every flag HELP lists: a mistyped one (e.g. --force-whel) must not silently run the default
// setup, which can take minutes and download a wheel the user meant to avoid.
const FLAGS = {
  'force-wheel': { type: 'boolean' },
  'download-only': { type: 'boolean' },
  libtensorflow: { type: 'string' },
  wheel: { type: 'string' },
  cache: { type: 'string' },
  python: { type: 'string' },
  rebuild: { type: 'boolean' },
  strict: { type: 'boolean' },
  skip: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function parseFlags(argv) {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new SetupUsageError(`${error.message.split('\n')[0]} (see --help)`);
  }
}

/** Settings from `argv` and `env`; throws SetupUsageError on an unknown flag or a missing value. */
export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const flags = parseFlags(argv);
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const libDir = flags.libtensorflow ?? env.UNET_LIBTENSORFLOW_DIR;
  let source = env.UNET_TF_SOURCE || 'auto';
  if (flags['force-wheel']) source = 'wheel';
  if (flags['download-only']) source = 'download';
  if (libDir) source = 'libdir';
  if (!['auto', 'wheel', 'download', 'libdir'].includes(source)) {
    throw new Error(`UNET_TF_SOURCE must be auto, wheel, download or libdir (got '${source}')`);
  }
  return {
    help: flags.help === true,
    skip: flags.skip === true || env.UNET_TF_SKIP === '1',
    strict: flags.strict === true || env.UNET_TF_STRICT === '1',
    rebuild: flags.rebuild === true || env.UNET_TF_REBUILD === '1',
    source,
    libDir: libDir ? path.resolve(libDir) : undefined,
    wheel: flags.wheel ?? env.UNET_TF_WHEEL,
    cacheDir: path.resolve(
      flags.cache ?? env.UNET_TF_CACHE_DIR ?? path.join(cacheRoot, 'unet-tensorflow'),
    ),
    python: flags.python ?? env.UNET_TF_PYTHON ?? 'python3',
    downloadTimeoutMs: Number(env.UNET_TF_DOWNLOAD_TIMEOUT ?? 180) * 1000,
  };
}
