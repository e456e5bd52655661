// Which compiled mode a run gets: the one switch shared by train(), predict, evaluate and the CLI.
import * as tf from '@tensorflow/tfjs';
import { cpuHasNativeBfloat16 } from '../cpu-features.js';
import type { CompilePrecision } from './train-step.js';

/** `--compile` / `compile:` values: auto, eager (`off`) or one compiled graph in fp32 or bf16. */
export const COMPILE_MODES = ['auto', 'off', 'fp32', 'bf16'] as const;
export type CompileMode = (typeof COMPILE_MODES)[number];

/**
 * What `mode` runs as on `backend` (default the active one): `auto` is bf16 on the tensorflow
 * backend where the CPU multiplies bfloat16 natively (AVX512_BF16 or AMX; measured 1.7-3.5x
 * Keras fp32 in training there), fp32 on the tensorflow backend elsewhere (emulated bfloat16 is
 * slower than fp32), and off on other backends (cpu, wasm: nothing to compile into). An explicit
 * `bf16` on a CPU without native bfloat16 runs fp32 and says so through `log`, so the answer is
 * always the precision that really runs (what a run's config records).
 */
export function resolveCompileMode(
  mode: CompileMode = 'auto',
  backend: string = tf.getBackend(),
  log: (line: string) => void = () => {},
): 'off' | CompilePrecision {
  if (mode === 'off' || mode === 'fp32') return mode;
  if (mode === 'auto') {
    if (backend !== 'tensorflow') return 'off';
    return cpuHasNativeBfloat16() ? 'bf16' : 'fp32';
  }
  if (cpuHasNativeBfloat16()) return 'bf16';
  log(
    '[unet] bf16 asked, but this CPU has no native bfloat16 (AVX512_BF16 or AMX): compiling fp32',
  );
  return 'fp32';
}
