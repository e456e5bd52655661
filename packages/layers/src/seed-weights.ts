import * as tf from '@tensorflow/tfjs';

interface SerializedInitializer {
  className: string;
  config: Record<string, unknown>;
}

/** Random initializers by their serialized class name; the others are deterministic. */
type Initializer = ReturnType<typeof tf.initializers.zeros>;
const RANDOM_INITIALIZERS: Record<string, (config: never) => Initializer> = {
  VarianceScaling: tf.initializers.varianceScaling,
  RandomUniform: tf.initializers.randomUniform,
  RandomNormal: tf.initializers.randomNormal,
  TruncatedNormal: tf.initializers.truncatedNormal,
  Orthogonal: tf.initializers.orthogonal,
};
const DETERMINISTIC_INITIALIZERS = new Set(['Zeros', 'Ones', 'Constant', 'Identity']);

/**
 * A 31-bit seed from the run's seed and a name (FNV-1a), never 0: TensorFlow's random ops take
 * seed 0 as "unseeded". Keyed by name, not by position, so that adding a layer does not change
 * the initial weights of the others.
 */
export function deriveSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${name}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 1) | 1;
}

/** `enc1_conv1/kernel` -> `kernelInitializer`, `bn/moving_mean` -> `movingMeanInitializer`. */
function initializerKey(weightName: string): string {
  const base = weightName.slice(weightName.lastIndexOf('/') + 1);
  return `${base.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}Initializer`;
}

/**
 * Redraws every randomly initialized weight of `model` from its layer's own initializer (same
 * distribution, class and config) with a seed derived from `seed` and the weight's name, and
 * seeds every dropout layer the same way, so that two models built with the same seed start
 * from identical weights and draw the same dropout masks. tfjs initializers are otherwise seeded
 * from `Math.random`.
 *
 * @throws when a weight comes from a random initializer whose class is not a tfjs built-in
 *   (it cannot be redrawn with a seed).
 */
export function seedInitialWeights(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      seedInitialWeights(layer, seed);
      continue;
    }
    const config = layer.getConfig() as Record<string, unknown>;
    for (const weight of layer.weights) {
      // originalName: `name` gets a suffix when another model used the same layer names.
      const name = (weight as unknown as { originalName: string }).originalName;
      const serialized = config[initializerKey(name)] as SerializedInitializer | undefined;
      if (!serialized || DETERMINISTIC_INITIALIZERS.has(serialized.className)) continue;
      const create = RANDOM_INITIALIZERS[serialized.className];
      if (!create) {
        throw new Error(
          `cannot seed '${name}': its initializer ${serialized.className} is not a tfjs built-in`,
        );
      }
      const initializer = create({ ...serialized.config, seed: deriveSeed(seed, name) } as never);
      tf.tidy(() => {
        weight.write(initializer.apply(weight.shape, weight.dtype));
      });
    }
    if (layer.getClassName() === 'Dropout') {
      (layer as unknown as { seed?: number }).seed = deriveSeed(seed, layer.name);
    }
  }
}
