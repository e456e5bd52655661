import * as tf from '@tensorflow/tfjs';
import {
  installNativeKernels,
  type NativeKernelSupport,
  nativeKernelSupport,
} from './native-kernels.js';
import { setTapeMemoryRelease } from './tape-memory.js';

/**
 * tfjs-core versions whose internals (engine tape, kernel registry, tfjs-node's binding calls)
 * the fast paths were tested against. Another version runs eagerly with tfjs's own kernels.
 */
export const TESTED_TFJS_CORE = ['4.22.0'] as const;

/** Options of {@link enableFastPaths}. */
export interface FastPathOptions {
  /** Native kernels (fused convolution, oneDNN pooling, batch norm, dropout). Default true, or `UNET_NATIVE_KERNELS=0` off. */
  kernels?: boolean;
  /** Free gradients during backpropagation. Default true, or `UNET_TAPE_RELEASE=0` off. */
  tapeMemoryRelease?: boolean;
  /** Where the one-line report goes (default console.log; the refusal to console.warn). */
  log?: (line: string) => void;
  warn?: (line: string) => void;
  /** The tfjs-core version to check (default the loaded one); for tests of the guard. */
  tfjsCoreVersion?: string;
}

/** What {@link enableFastPaths} turned on. */
export interface FastPathReport {
  /** False when nothing was turned on; `reason` says why. */
  enabled: boolean;
  reason?: string;
  kernels: NativeKernelSupport | undefined;
  tapeMemoryRelease: boolean;
}

function envOn(name: string): boolean {
  return process.env[name] !== '0';
}

/**
 * Turns on this toolkit's fast paths for the native `tensorflow` backend and reports what runs:
 * the native kernels and gradient-memory release. Call it once after `initBackend`. It changes
 * tfjs-core internals, so it refuses (with one warning, leaving tfjs's eager kernels in place) a
 * tfjs-core version it was not tested against, and does nothing on other backends. Results of a
 * model are the same with and without it; speed and memory are not.
 *
 * @example
 * ```ts
 * await initBackend('tensorflow');
 * const report = enableFastPaths(); // "[unet] fast paths: fused conv ..., tape release"
 * ```
 */
export function enableFastPaths(options: FastPathOptions = {}): FastPathReport {
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const off = (reason: string): FastPathReport => ({
    enabled: false,
    reason,
    kernels: undefined,
    tapeMemoryRelease: false,
  });
  const version = options.tfjsCoreVersion ?? tf.version_core;
  if (!(TESTED_TFJS_CORE as readonly string[]).includes(version)) {
    const reason = `tfjs-core ${version} is not one the fast paths were tested with (${TESTED_TFJS_CORE.join(', ')}); running tfjs's own kernels eagerly`;
    warn(`[unet] warning: ${reason}`);
    return off(reason);
  }
  if (tf.getBackend() !== 'tensorflow') {
    return off(`backend '${tf.getBackend()}' has no native fast paths`);
  }
  const kernels = options.kernels ?? envOn('UNET_NATIVE_KERNELS');
  const release = options.tapeMemoryRelease ?? envOn('UNET_TAPE_RELEASE');
  if (kernels) installNativeKernels();
  setTapeMemoryRelease(release);
  const support = kernels ? nativeKernelSupport() : undefined;
  const parts = [
    support
      ? `native kernels (conv ${support.fusedConv2D ?? 'unfused'}${support.oneDnnMaxPool ? ', oneDNN pooling' : ''}, binding patch level ${support.bindingPatchLevel})`
      : 'native kernels off',
    release ? 'tape memory release' : 'tape memory release off',
  ];
  log(`[unet] fast paths: ${parts.join('; ')}`);
  return { enabled: kernels || release, kernels: support, tapeMemoryRelease: release };
}
