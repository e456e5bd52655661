/**
 * @unet/runtime: the native TensorFlow engine (Node only): backend choice (`initBackend`), the
 * fast paths on tfjs-node (`enableFastPaths`: native kernels, gradient-memory release), the flat
 * Adam optimizer and the `unet-setup-tensorflow` installer that builds tfjs-node's binding against
 * TensorFlow's C library. The only package that knows tfjs-node internals.
 */

export type { BackendPreference, InitBackendOptions } from './backend.js';
export { BACKEND_PREFERENCES, initBackend } from './backend.js';
// The compiled step (compiled/): a training step or forward pass as one TensorFlow graph.
export {
  COMPILE_MODES,
  type CompileMode,
  type CompileOptions,
  type CompilePrecision,
  resolveCompileMode,
} from './compiled/compile-mode.js';
export { attachCompiledFit, type CompiledFit } from './compiled/fit-hook.js';
export { type CompiledPredict, compilePredict } from './compiled/predict.js';
export {
  type CompiledTrainStep,
  type CompileTrainStepOptions,
  compileTrainStep,
} from './compiled/train-step.js';
export { type WeightDifference, weightDifference } from './compiled/weight-difference.js';
export { cpuFlags, cpuHasNativeBfloat16 } from './cpu-features.js';
export type { FastPathOptions, FastPathReport } from './fast-paths.js';
export { enableFastPaths, TESTED_TFJS_CORE } from './fast-paths.js';
export { FlatAdamOptimizer } from './flat-adam.js';
export {
  installNativeKernels,
  type NativeKernelSupport,
  nativeKernelSupport,
} from './native-kernels.js';
export type { CreateOptimizerOptions, OptimizerName } from './optimizers.js';
export { createOptimizer, OPTIMIZER_NAMES } from './optimizers.js';
export { setTapeMemoryRelease } from './tape-memory.js';
