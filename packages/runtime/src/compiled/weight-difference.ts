// How far two runs' weights end apart, in the terms a compiled-vs-eager comparison needs.
import * as tf from '@tensorflow/tfjs';

/** What {@link weightDifference} measures. */
export interface WeightDifference {
  /** Largest absolute difference of any element. */
  max: number;
  /**
   * The distance between `a` and `b` (Euclidean, over all elements) as a share of the distance
   * `b` travelled from `initial`; null without `initial`.
   */
  relative: number | null;
}

const distance = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number =>
  Math.sqrt(
    a.reduce((sum, t, i) => sum + tf.tidy(() => t.sub(b[i]!).square().sum().dataSync()[0]!), 0),
  );

/**
 * Compares two runs' weights (`a[i]` with `b[i]`, same shapes) that started from `initial`.
 * Why a share of the distance travelled rather than an element tolerance: the compiled graph
 * may run other kernels than eager execution (grappler's fusions, oneDNN's choice per CPU) that
 * differ in the last bits, and Adam divides each gradient element by its own running magnitude,
 * so an element whose gradient is at rounding level moves by up to the learning rate either way;
 * over a few steps of a net with batch norm such differences spread. A faithful graph still ends
 * within a small share of the way training went; a wrong gradient or a missed learning-rate
 * change does not.
 */
export function weightDifference(
  a: readonly tf.Tensor[],
  b: readonly tf.Tensor[],
  initial?: readonly tf.Tensor[],
): WeightDifference {
  for (const other of initial ? [b, initial] : [b]) {
    if (other.length !== a.length) {
      throw new Error(`weightDifference: ${a.length} weights against ${other.length}`);
    }
  }
  const max = Math.max(
    0,
    ...a.map((t, i) => tf.tidy(() => t.sub(b[i]!).abs().max().dataSync()[0]!)),
  );
  const relative = initial ? distance(a, b) / distance(b, initial) : null;
  return { max, relative };
}
