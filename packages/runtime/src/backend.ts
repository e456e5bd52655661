import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';

/** Backends in the order `auto` tries them (best first). */
export const BACKEND_PREFERENCES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = 'auto' | (typeof BACKEND_PREFERENCES)[number];

export interface InitBackendOptions {
  /** Where the one-line report goes; defaults to console.log (warnings to console.warn). */
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

const NATIVE_HINT =
  'run `npx unet-setup-tensorflow` (builds the binding against the TensorFlow C library of the ' +
  'tensorflow-cpu Python wheel; see its --help)';

const HOW_TO_GET: Record<(typeof BACKEND_PREFERENCES)[number], string> = {
  'tensorflow-gpu': `install @tensorflow/tfjs-node-gpu on a machine with an NVIDIA GPU and CUDA, then ${NATIVE_HINT}`,
  tensorflow: `install @tensorflow/tfjs-node; if its binding does not load, ${NATIVE_HINT}`,
  wasm: 'install @tensorflow/tfjs-backend-wasm',
  cpu: 'it ships with @tensorflow/tfjs',
};

function gpuVisible(): boolean {
  if (fs.existsSync('/dev/nvidia0')) return true;
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function loadNative(
  pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu',
): Promise<void> {
  // A plain string keeps bundlers and tsc from requiring optional packages at build time.
  const specifier: string = pkg;
  // TensorFlow's C++ start-up chatter (oneDNN, CPU features) buries the one line that matters.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  await import(specifier);
  // The package registers 'tensorflow' with the tfjs-core it imports; it must be ours.
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(
      `${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core; ` +
        'make @tensorflow/tfjs and the native package resolve to one version (check `pnpm why @tensorflow/tfjs-core`)',
    );
  }
}

async function load(name: (typeof BACKEND_PREFERENCES)[number]): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
      if (!gpuVisible())
        throw new Error('no NVIDIA GPU is visible (no /dev/nvidia0, nvidia-smi fails)');
      await loadNative('@tensorflow/tfjs-node-gpu');
      return 'tensorflow';
    case 'tensorflow':
      await loadNative('@tensorflow/tfjs-node');
      return 'tensorflow';
    case 'wasm':
      await import(WASM_PACKAGE);
      return 'wasm';
    case 'cpu':
      return 'cpu';
  }
}

const WASM_PACKAGE: string = '@tensorflow/tfjs-backend-wasm';

const WHY: Record<(typeof BACKEND_PREFERENCES)[number], string> = {
  'tensorflow-gpu': 'native TensorFlow with CUDA via @tensorflow/tfjs-node-gpu',
  tensorflow: 'native TensorFlow C library via @tensorflow/tfjs-node',
  wasm: 'WebAssembly via @tensorflow/tfjs-backend-wasm (no native engine available)',
  cpu: 'pure JavaScript (correct, but far too slow to train a U-Net)',
};

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * Loads and activates the best available TensorFlow.js backend and returns its name
 * (`tf.getBackend()`: `tensorflow` for both native packages, `wasm` or `cpu`).
 *
 * `auto` tries tensorflow-gpu (only when a GPU is visible), tensorflow, wasm, cpu, and warns
 * when it has to settle for wasm/cpu. An explicit preference that cannot load throws an error
 * naming what is missing and how to get it.
 */
export async function initBackend(
  preference: BackendPreference = 'auto',
  options: InitBackendOptions = {},
): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.warn(line));
  if (preference !== 'auto' && !BACKEND_PREFERENCES.includes(preference)) {
    throw new Error(
      `unknown backend '${preference}': use one of auto, ${BACKEND_PREFERENCES.join(', ')}`,
    );
  }
  const candidates = preference === 'auto' ? BACKEND_PREFERENCES : [preference];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      const name = await load(candidate);
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      const reason = preference === 'auto' ? 'best available' : 'requested';
      log(`[unet] backend: ${tf.getBackend()} (${WHY[candidate]}; ${reason})`);
      if (preference === 'auto' && (candidate === 'wasm' || candidate === 'cpu')) {
        warn(
          `[unet] warning: no native TensorFlow backend (${failures.join('; ')}). To get it: ${HOW_TO_GET.tensorflow}`,
        );
      }
      return tf.getBackend();
    } catch (error) {
      failures.push(`${candidate}: ${errorMessage(error)}`);
      if (preference !== 'auto') {
        throw new Error(
          `backend '${candidate}' is not available: ${errorMessage(error)}. To get it: ${HOW_TO_GET[candidate]}`,
        );
      }
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${failures.join('; ')}`);
}
