import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite serves the wasm binaries as hashed assets; the backend is told where each one is, since
// it would otherwise look next to the script under their plain names.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

/** Best first; `cpu` last so a page without any accelerated backend still works, slowly. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/**
 * The WebGL renderer when it is a software one (SwiftShader, llvmpipe): on a machine without a
 * GPU it runs a U-Net ~10x slower than wasm (see the README's figures), so it is no "best" one.
 */
function softwareWebGl(): string | null {
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  return /swiftshader|llvmpipe|software/i.test(renderer) ? renderer : null;
}

/** A backend counts only when it initialises and runs a small op (WebGL can exist but fail). */
async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    const probe = tf.tidy(() =>
      tf
        .conv2d(
          tf.ones([1, 8, 8, 1]) as tf.Tensor4D,
          tf.ones([3, 3, 1, 1]) as tf.Tensor4D,
          1,
          'same',
        )
        .sum(),
    );
    const value = (await probe.data())[0];
    probe.dispose();
    return value === 8 * 8 * 9 - 4 * 8 * 3 + 4; // 3x3 sums with zero padding: interior 9, edges 6, corners 4
  } catch {
    return false;
  }
}

/**
 * Picks the best backend that works here: `only` (e.g. `?backend=wasm`) or the first of
 * {@link BACKEND_ORDER}. Returns its name and the ones that were tried and failed.
 */
export async function chooseBackend(
  only?: string | null,
): Promise<{ name: BackendName; failed: string[] }> {
  const candidates = only ? BACKEND_ORDER.filter((b) => b === only) : BACKEND_ORDER;
  if (candidates.length === 0) {
    throw new Error(`unknown backend '${only}': use one of ${BACKEND_ORDER.join(', ')}`);
  }
  const failed: string[] = [];
  for (const name of candidates) {
    // Asked for by name, a software WebGL is used; picked automatically, it is skipped.
    if (name === 'webgl' && !only && softwareWebGl()) {
      failed.push('webgl (software renderer)');
      continue;
    }
    if (await tryBackend(name)) return { name, failed };
    failed.push(name);
  }
  throw new Error(`no TensorFlow.js backend works in this browser (tried ${failed.join(', ')})`);
}
