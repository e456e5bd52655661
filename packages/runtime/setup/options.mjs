// Settings of the TensorFlow runtime setup, from flags and environment variables.
import os from 'node:os';
import path from 'node:path';

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

function flagValue(argv, name) {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const libDir = flagValue(argv, '--libtensorflow') ?? env.UNET_LIBTENSORFLOW_DIR;
  let source = env.UNET_TF_SOURCE || 'auto';
  if (argv.includes('--force-wheel')) source = 'wheel';
  if (argv.includes('--download-only')) source = 'download';
  if (libDir) source = 'libdir';
  if (!['auto', 'wheel', 'download', 'libdir'].includes(source)) {
    throw new Error(`UNET_TF_SOURCE must be auto, wheel, download or libdir (got '${source}')`);
  }
  return {
    help: argv.includes('--help') || argv.includes('-h'),
    skip: argv.includes('--skip') || env.UNET_TF_SKIP === '1',
    strict: argv.includes('--strict') || env.UNET_TF_STRICT === '1',
    rebuild: argv.includes('--rebuild') || env.UNET_TF_REBUILD === '1',
    source,
    libDir: libDir ? path.resolve(libDir) : undefined,
    wheel: flagValue(argv, '--wheel') ?? env.UNET_TF_WHEEL,
    cacheDir: path.resolve(
      flagValue(argv, '--cache') ??
        env.UNET_TF_CACHE_DIR ??
        path.join(cacheRoot, 'unet-tensorflow'),
    ),
    python: flagValue(argv, '--python') ?? env.UNET_TF_PYTHON ?? 'python3',
    downloadTimeoutMs: Number(env.UNET_TF_DOWNLOAD_TIMEOUT ?? 180) * 1000,
  };
}
