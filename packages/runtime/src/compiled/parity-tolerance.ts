// Test support: how close compiled training must stay to eager training, and the optimizer that
// makes that closeness measurable on every CPU.
import type * as tf from '@tensorflow/tfjs';
import { FlatAdamOptimizer } from '../flat-adam.js';

/**
 * Tolerances of the compiled-vs-eager tests: `loss`, relative, per step (the issue's 1e-4);
 * `apart`, the weights' distance apart as a share of the distance training moved them
 * (weightDifference). Measured with {@link parityAdam} on an AVX2-only EPYC (Zen 3), 5 steps
 * with a learning-rate raise to 1e-2 at 32 px: at most 2.3e-7 in loss and 0.0022 apart (dsb2018,
 * paper with batch norm), 1e-7 and 2e-6 (satellite). A learning-rate change the graph misses, or
 * a wrong gradient, moves the loss by 1e-2 and more.
 */
export const PARITY = { loss: 1e-4, apart: 0.01 };

/**
 * The optimizer of the compiled-vs-eager tests: the toolkit's Adam with epsilon 1e-4 instead of
 * 1e-7. With 1e-7 a gradient element at rounding level moves its weight by a whole learning rate
 * either way, its sign set by the last bits. Graph and eager kernels that round differently (as
 * on AVX2, where oneDNN picks other kernels) then drift apart chaotically in the batch-norm nets
 * at 32 px: 0.31 apart after 5 steps on Zen 3, where eager against itself from weights perturbed
 * by 1e-6 ends 0.2-0.6 apart. With 1e-4 such elements move in proportion to their gradient.
 */
export function parityAdam(learningRate = 1e-3): tf.Optimizer {
  return new FlatAdamOptimizer(learningRate, 0.9, 0.999, 1e-4);
}
