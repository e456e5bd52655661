// Test support: how close compiled training must stay to eager training on this CPU.
import { cpuFlags } from '../cpu-features.js';

const hasAvx512 = () => cpuFlags().has('avx512f');

/**
 * Tolerances of the compiled-vs-eager tests: `loss`, relative, per step; `apart`, the weights'
 * distance apart as a share of the distance training moved them (weightDifference). On the
 * AVX-512 EPYC the project was built on, the graph and eager kernels agree to 1e-4 in loss. On
 * an AVX2-only EPYC (Zen 3) they drift further: up to 1.1e-3 in loss within 5 steps and 0.016
 * apart after a learning-rate raise to 1e-2, measured over repeated runs (issue 14 notes this
 * as open); these bounds leave about 3x room there, and a learning-rate change the graph misses
 * still fails them (1e-2 to 2.7e-2 in loss, measured there).
 */
export const PARITY = hasAvx512() ? { loss: 1e-4, apart: 0.01 } : { loss: 3e-3, apart: 0.1 };
