// Which compiled mode a run gets: the one switch shared by train(), predict, evaluate and the CLI.
import * as tf from '@tensorflow/tfjs';
import { cpuHasNativeBfloat16 } from '../cpu-features.js';

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

export type CompilePrecision = 'fp32' | 'bf16';

export interface CompileOptions {
  /**
   * fp32 (default) or bf16: convolutions, activations and batch norm compute in bfloat16, while
   * variables, the loss and the optimizer update stay float32 (Keras's mixed_bfloat16 split).
   * On a CPU without native bfloat16 (no AVX512_BF16 or AMX) bf16 runs fp32 and says so: emulated
   * bfloat16 would be slower and less precise (`UNET_BF16=1` forces it).
   */
  precision?: CompilePrecision;
  /** XLA's CPU JIT for the graph (slower than grappler + oneDNN on CPU in Keras's own tests). */
  xla?: boolean;
  /** Threads per kernel; default TensorFlow's choice (all cores). */
  threads?: number;
  /**
   * How the graph is recorded. `'symbolic'` (the default where the binding has shape graphs,
   * patch level 3) records tfjs's step without running it, TensorFlow inferring every shape, so
   * no eager step fills TensorFlow's memory pool first. `'run'` trains the first step eagerly
   * (creating the optimizer state) and records the second as it runs; symbolic recording falls
   * back to it when a shape is known only at run time.
   */
  recording?: 'symbolic' | 'run';
  log?: (message: string) => void;
}

/** The precision a compiled graph runs in: bf16 only where the CPU has it natively. */
export function resolvePrecision(options: CompileOptions): CompilePrecision {
  if (options.precision !== 'bf16') return 'fp32';
  return resolveCompileMode('bf16', 'tensorflow', options.log ?? console.log) as CompilePrecision;
}
