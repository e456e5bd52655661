// The compiled step: a tfjs LayersModel's training step or forward pass as one TensorFlow graph
// run by one session call (tfjs-node backend; binding built by unet-setup-tensorflow, level 2).
// Self-contained: imports only tfjs, reaching the binding through tfjs-node's backend object.

export type { CompiledFit } from './fit-hook.js';
export { attachCompiledFit } from './fit-hook.js';
export type { CompiledPredict } from './predict.js';
export { compilePredict } from './predict.js';
export type {
  CompiledTrainStep,
  CompileOptions,
  CompilePrecision,
  CompileTrainStepOptions,
} from './train-step.js';
export { compileTrainStep } from './train-step.js';
