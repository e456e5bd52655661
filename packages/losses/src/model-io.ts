import * as tf from '@tensorflow/tfjs';
import { getLoss, getMetric, lossNameOf, metricNameOf } from './registry.js';
import type { LossFunction, MetricFunction } from './types.js';

/**
 * Why this file exists: tfjs-layers saves a compiled model's training config (with
 * `includeOptimizer: true`) holding loss and metric *names* and, on load, compiles the model
 * with those names from its own fixed tables. A function loss is saved as `{}` (its name is
 * lost) and an unknown metric name makes `tf.loadLayersModel` throw. So the names of our
 * losses and metrics travel in the model's user-defined metadata instead, and loading resolves
 * them through this package's registry.
 */

/** Key of the model's user-defined metadata (`model.json` -> `userDefinedMetadata`). */
export const LOSS_NAMES_METADATA_KEY = 'unetLosses';

/** A registered loss: its name, or the function itself if it was registered. */
export type LossReference = string | LossFunction;

/** A registered metric (or loss): its name, or the function itself if it was registered. */
export type MetricReference = string | MetricFunction;

/** The names a model was compiled with, as stored in its metadata. */
export interface LossNames {
  loss: string;
  metrics: string[];
}

/** Arguments of {@link compileWithNamedLosses}. */
export interface NamedCompileArgs {
  /** A tfjs optimizer or its name (`'adam'`, `'sgd'`, ...), as for `model.compile`. */
  optimizer: string | tf.Optimizer;
  /** The loss, by registered name (`'bceDiceLoss'`) or as a registered function. */
  loss: LossReference;
  /** Metrics by registered name or function; losses can be used as metrics too. */
  metrics?: readonly MetricReference[];
}

/**
 * Compiles `model` with registered losses and metrics and records their names in the model's
 * user-defined metadata, so that `model.save(...)` followed by {@link loadModelWithLosses}
 * gives back a model compiled the same way.
 *
 * The loss applies to every output of the model; tfjs logs metrics under their registered
 * names (`diceCoefficient`, `val_diceCoefficient`).
 *
 * @returns the recorded names.
 * @example
 * ```ts
 * compileWithNamedLosses(model, {
 *   optimizer: tf.train.adam(1e-3),
 *   loss: 'bceDiceLoss',
 *   metrics: ['diceCoefficient', 'iouScore', 'precision', 'recall'],
 * });
 * await model.fit(xs, ys, { epochs: 10 });
 * await model.save('file://./checkpoint', { includeOptimizer: true });
 * ```
 */
export function compileWithNamedLosses(model: tf.LayersModel, args: NamedCompileArgs): LossNames {
  const names: LossNames = {
    loss: referenceName('loss', args.loss),
    metrics: (args.metrics ?? []).map((metric) => referenceName('metric', metric)),
  };
  model.compile({
    optimizer: args.optimizer,
    loss: getLoss(names.loss),
    metrics: names.metrics.map(getMetric),
  });
  recordLossNames(model, names);
  return names;
}

function recordLossNames(model: tf.LayersModel, names: LossNames): void {
  model.setUserDefinedMetadata({
    ...(model.getUserDefinedMetadata() ?? {}),
    [LOSS_NAMES_METADATA_KEY]: names,
  });
}

/**
 * The loss and metric names recorded in `model` by {@link compileWithNamedLosses} (also after
 * loading), or `undefined`.
 */
export function lossNamesOf(model: tf.LayersModel): LossNames | undefined {
  const metadata = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  return parseLossNames(metadata?.[LOSS_NAMES_METADATA_KEY], 'the model metadata');
}

/** Options of {@link loadModelWithLosses}: tfjs load options plus how to compile. */
export interface LoadModelWithLossesOptions extends tf.io.LoadOptions {
  /**
   * `false`: load weights and topology only (inference), ignoring any saved loss or optimizer.
   * Default `true`.
   */
  compile?: boolean;
  /**
   * Optimizer to compile with. Default: the saved one with its state (models saved with
   * `includeOptimizer: true`), else a new `'adam'`.
   */
  optimizer?: string | tf.Optimizer;
  /** Loss to compile with instead of the recorded one (needed if none was recorded). */
  loss?: LossReference;
  /** Metrics to compile with instead of the recorded ones. */
  metrics?: readonly MetricReference[];
}

/**
 * Loads a model saved with `model.save(...)` and compiles it again with the losses and metrics
 * it was compiled with, resolved through this package's registry: built-ins, and custom losses
 * registered (with `registerLoss`) in this process before the call.
 *
 * - Names come from `options.loss` / `options.metrics`, else the metadata written by
 *   {@link compileWithNamedLosses}, else the training config tfjs saved (its names are
 *   looked up in the registry, then left to tfjs's own tables).
 * - Saved with `includeOptimizer: true`: the optimizer and its state (Adam moments, step) come
 *   back, so training resumes where it stopped.
 * - No loss known (a model compiled with plain `model.compile` and functions): the model is
 *   returned uncompiled, fine for `predict`; pass `options.loss` to compile it.
 * - The registry names it is compiled with are recorded in its metadata again (see
 *   {@link lossNamesOf}), so saving the loaded model keeps them.
 *
 * @param source a URL (`'file://./checkpoint/model.json'` with `@tensorflow/tfjs-node` loaded,
 *   `'http://...'`, `'indexeddb://...'`) or an `IOHandler`, as for `tf.loadLayersModel`.
 * @throws listing the valid names when a recorded loss or metric is not registered.
 * @example
 * ```ts
 * registerLoss('weightedBce', weightedBce); // custom losses first
 * const model = await loadModelWithLosses('file://./checkpoint/model.json');
 * await model.fit(xs, ys, { epochs: 5 }); // resumes with the saved loss and optimizer
 * ```
 */
export async function loadModelWithLosses(
  source: string | tf.io.IOHandler,
  options: LoadModelWithLossesOptions = {},
): Promise<tf.LayersModel> {
  const { compile = true, optimizer, loss, metrics, ...loadOptions } = options;
  const handler = typeof source === 'string' ? loadHandlerFor(source, loadOptions) : source;
  const sourceLabel = typeof source === 'string' ? `'${source}'` : 'the IOHandler';
  if (typeof handler.load !== 'function') {
    throw new Error(
      `loadModelWithLosses: ${sourceLabel} cannot load (its IOHandler has no load())`,
    );
  }
  let plan: CompilePlan | undefined;
  const planningHandler: tf.io.IOHandler = {
    load: async () => {
      const artifacts = await handler.load!();
      plan = compile ? planCompile(artifacts, { loss, metrics }, sourceLabel) : undefined;
      // tfjs compiles the model from the training config while loading, with its own loss
      // tables; hand it only the optimizer (so the saved optimizer state is restored into it)
      // and a loss it knows. The real loss and metrics are compiled right after.
      const trainingConfig: tf.io.TrainingConfig | undefined =
        plan && artifacts.trainingConfig
          ? {
              optimizer_config: artifacts.trainingConfig.optimizer_config,
              loss: 'mean_squared_error',
            }
          : undefined;
      return { ...artifacts, trainingConfig };
    },
  };
  const model = await tf.loadLayersModel(planningHandler, loadOptions);
  if (plan) {
    const restored = model.optimizer as tf.Optimizer | undefined;
    if (optimizer !== undefined && restored !== undefined) restored.dispose();
    model.compile({
      optimizer: optimizer ?? restored ?? 'adam',
      loss: plan.loss,
      metrics: plan.metrics,
    });
    if (plan.names) recordLossNames(model, plan.names);
  }
  return model;
}

/** What to compile a loaded model with; tfjs-only names are kept as strings. */
interface CompilePlan {
  loss: LossFunction | string;
  metrics: (MetricFunction | string)[];
  /** Registry names to record in the metadata, when every reference has one. */
  names?: LossNames;
}

function planCompile(
  artifacts: tf.io.ModelArtifacts,
  overrides: { loss?: LossReference; metrics?: readonly MetricReference[] },
  sourceLabel: string,
): CompilePlan | undefined {
  const recorded = parseLossNames(
    (artifacts.userDefinedMetadata as Record<string, unknown> | undefined)?.[
      LOSS_NAMES_METADATA_KEY
    ],
    sourceLabel,
  );
  const saved = artifacts.trainingConfig;
  const savedLoss = typeof saved?.loss === 'string' ? camelCase(saved.loss) : undefined;
  const savedMetrics = Array.isArray(saved?.metrics) ? saved.metrics.map(camelCase) : undefined;

  const lossRef = overrides.loss ?? recorded?.loss ?? savedLoss;
  if (lossRef === undefined) return undefined;
  const metricRefs = overrides.metrics ?? recorded?.metrics ?? savedMetrics ?? [];
  // Names from tfjs's own training config may be tfjs built-ins (e.g. 'accuracy') that the
  // registry does not hold; those are left for tfjs to resolve.
  const lossFromTfjs = overrides.loss === undefined && recorded === undefined;
  const metricsFromTfjs = overrides.metrics === undefined && recorded === undefined;
  let plan: CompilePlan;
  try {
    plan = {
      loss: resolve('loss', lossRef, lossFromTfjs),
      metrics: metricRefs.map((ref) => resolve('metric', ref, metricsFromTfjs)),
    };
  } catch (error) {
    throw new Error(
      `loadModelWithLosses: cannot compile the model from ${sourceLabel}: ${(error as Error).message}`,
    );
  }
  const lossName = registeredName('loss', lossRef);
  const metricNames = metricRefs.map((ref) => registeredName('metric', ref));
  if (lossName !== undefined && metricNames.every((name) => name !== undefined)) {
    plan.names = { loss: lossName, metrics: metricNames as string[] };
  }
  return plan;
}

function resolve(
  kind: 'loss' | 'metric',
  ref: LossReference,
  tfjsNamesAllowed: boolean,
): LossFunction | string {
  if (typeof ref !== 'string') return ref;
  try {
    return kind === 'loss' ? getLoss(ref) : getMetric(ref);
  } catch (error) {
    if (tfjsNamesAllowed) return ref;
    throw error;
  }
}

/** The registry name of a reference, or `undefined` (unregistered function, tfjs-only name). */
function registeredName(kind: 'loss' | 'metric', ref: LossReference): string | undefined {
  if (typeof ref !== 'string') return kind === 'loss' ? lossNameOf(ref) : metricNameOf(ref);
  try {
    (kind === 'loss' ? getLoss : getMetric)(ref);
    return ref;
  } catch {
    return undefined;
  }
}

/** The registered name of a loss or metric reference; throws for unregistered functions. */
function referenceName(kind: 'loss' | 'metric', ref: LossReference): string {
  if (typeof ref === 'string') {
    (kind === 'loss' ? getLoss : getMetric)(ref); // throws listing the valid names
    return ref;
  }
  const name = kind === 'loss' ? lossNameOf(ref) : metricNameOf(ref);
  if (name === undefined) {
    const register = kind === 'loss' ? 'registerLoss' : 'registerMetric';
    throw new Error(
      `compileWithNamedLosses: the ${kind} function ${ref.name ? `'${ref.name}' ` : ''}is not ` +
        `registered, so a saved model could not find it again; call ${register}('someName', fn) ` +
        'first and pass the name (or the function) here',
    );
  }
  return name;
}

function parseLossNames(value: unknown, sourceLabel: string): LossNames | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<LossNames> | null;
  const valid =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.loss === 'string' &&
    Array.isArray(candidate.metrics) &&
    candidate.metrics.every((name) => typeof name === 'string');
  if (!valid) {
    throw new Error(
      `userDefinedMetadata.${LOSS_NAMES_METADATA_KEY} in ${sourceLabel} ` +
        `should be { loss: string, metrics: string[] }, got ${JSON.stringify(value)}`,
    );
  }
  return { loss: candidate.loss!, metrics: [...candidate.metrics!] };
}

/** The single load handler for a URL, as `tf.loadLayersModel` picks it. */
function loadHandlerFor(url: string, loadOptions: tf.io.LoadOptions): tf.io.IOHandler {
  const handlers = tf.io.getLoadHandlers(url, loadOptions);
  if (handlers.length > 1) {
    throw new Error(`loadModelWithLosses: more than one IOHandler can load '${url}'`);
  }
  return handlers[0] ?? tf.io.http(url, loadOptions);
}

/** tfjs stores training-config names in snake_case: `dice_loss` -> `diceLoss`. */
function camelCase(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
