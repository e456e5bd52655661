import type * as tf from '@tensorflow/tfjs';
import { fixedInputSize, type PredictModel } from '@unet/infer';
import { type CompileMode, compilePredict, resolveCompileMode } from '@unet/runtime';

export type { CompileMode };

/** The model as prediction runs it, and what to release afterwards. */
export interface PredictRunner {
  model: PredictModel;
  dispose(): void;
}

/**
 * `model` for @unet/infer's prediction (`predictProbability`, `predictTiled`): itself when
 * `compile` is off (or `auto` resolves to off, see `resolveCompileMode`), else a wrapper with the model's `inputs` whose `predict` runs
 * `compilePredict`'s graph (one per input shape, with the model's current weights; it falls back
 * to eager with one log line where it cannot compile). A model with a free input size run on
 * whole images would need a graph per image size, so it predicts eagerly (one log line).
 */
export function predictRunner(
  model: tf.LayersModel,
  compile: CompileMode | undefined,
  options: { tiled: boolean; log: (line: string) => void },
): PredictRunner {
  const precision = resolveCompileMode(compile ?? 'off', undefined, options.log);
  if (precision === 'off') return { model, dispose: () => {} };
  const fixed = fixedInputSize(model);
  if (!options.tiled && (fixed.height === null || fixed.width === null)) {
    options.log(
      '[unet] compiled predict off, predicting eagerly: the model takes any input size (a graph per image size); use tiles or a fixed-size model',
    );
    return { model, dispose: () => {} };
  }
  const compiled = compilePredict(model, { precision, log: options.log });
  return {
    model: { inputs: model.inputs, predict: (x) => compiled.predict(x) },
    dispose: () => compiled.dispose(),
  };
}
