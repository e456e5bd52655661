import * as tf from '@tensorflow/tfjs';
import { getLoss } from './registry.js';
import type { LossFunction } from './types.js';

/** One term of {@link composeLosses}: a loss (or its registered name) and its weight. */
export type WeightedLoss = readonly [loss: LossFunction | string, weight: number];

/** Options of {@link composeLosses}. */
export interface ComposeLossesOptions {
  /**
   * `name` of the returned function (what tfjs shows when it is used as a metric, and the name
   * to register it under). Default built from the terms, e.g. `1xbinaryCrossentropy_plus_0.5xdiceLoss`.
   */
  name?: string;
}

/**
 * A loss that is the weighted sum of other losses: `loss = sum_i(w_i * loss_i(yTrue, yPred))`.
 *
 * Terms are functions or registered names (resolved now, so a typo fails here). Each term runs
 * with its default options; wrap it to change them:
 * `[(t, p) => focalLoss(t, p, { gamma: 3 }), 1]`. Register the result with `registerLoss` to
 * save and load models compiled with it.
 *
 * Shapes: those of the terms (`[N, H, W, 1]` or `[N, H, W, C]`).
 *
 * @example
 * ```ts
 * const loss = composeLosses([['binaryCrossentropy', 0.5], [diceLoss, 1]], { name: 'halfBceDice' });
 * registerLoss('halfBceDice', loss);
 * ```
 */
export function composeLosses(
  terms: readonly WeightedLoss[],
  options: ComposeLossesOptions = {},
): LossFunction {
  if (!Array.isArray(terms) || terms.length === 0) {
    throw new Error('composeLosses: give at least one [loss, weight] pair, e.g. [[diceLoss, 1]]');
  }
  const resolved = terms.map((term, index) => {
    const [loss, weight] = term;
    const fn = typeof loss === 'string' ? getLoss(loss) : loss;
    if (typeof fn !== 'function') {
      throw new Error(`composeLosses: term ${index} is not a loss function or a registered name`);
    }
    if (!Number.isFinite(weight) || weight < 0) {
      throw new Error(
        `composeLosses: term ${index} (${fn.name || 'anonymous'}) has weight ${weight}; ` +
          'weights must be finite numbers >= 0',
      );
    }
    return { fn, weight, label: fn.name || `loss${index}` };
  });
  const composed: LossFunction = (yTrue, yPred) =>
    tf.tidy(() =>
      tf.addN(resolved.map(({ fn, weight }) => tf.mul(fn(yTrue, yPred), weight))),
    ) as tf.Scalar;
  const name =
    options.name ?? resolved.map(({ label, weight }) => `${weight}x${label}`).join('_plus_');
  Object.defineProperty(composed, 'name', { value: name });
  return composed;
}
