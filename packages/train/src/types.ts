import type * as tf from '@tensorflow/tfjs';

/**
 * Any tfjs training callback (`tf.Callback` subclasses and `tf.CustomCallback`). tfjs does not
 * export its `BaseCallback` class by name; this is its type.
 */
export type BaseCallback = NonNullable<ConstructorParameters<typeof tf.CallbackList>[0]>[number];
