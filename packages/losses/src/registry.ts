import type { LossFunction, MetricFunction } from './types.js';

/**
 * Name -> function tables for losses and metrics. Saved models refer to their losses and
 * metrics by these names (see `compileWithNamedLosses` / `loadModelWithLosses`), so a name
 * must keep meaning the same function.
 *
 * The tables live on `globalThis` under a `Symbol.for` key: when both the ESM and the CommonJS
 * build of this package are loaded in one process, a loss registered through one is found
 * through the other.
 */
interface RegistryState {
  losses: Map<string, LossFunction>;
  metrics: Map<string, MetricFunction>;
  /** Function (as registered, and its named wrapper) -> registered name. */
  lossNames: WeakMap<object, string>;
  metricNames: WeakMap<object, string>;
}

const REGISTRY_KEY = Symbol.for('@unet/losses/registry');

function registry(): RegistryState {
  const holder = globalThis as { [REGISTRY_KEY]?: RegistryState };
  holder[REGISTRY_KEY] ??= {
    losses: new Map(),
    metrics: new Map(),
    lossNames: new WeakMap(),
    metricNames: new WeakMap(),
  };
  return holder[REGISTRY_KEY];
}

/** Names must be valid tfjs scope names (tfjs shows metrics as `name` and `val_name`). */
const VALID_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Options of {@link registerLoss} and {@link registerMetric}. */
export interface RegisterOptions {
  /** Replace a function already registered under this name. Default `false` (throw instead). */
  override?: boolean;
}

/**
 * Registers a loss under `name` so that `getLoss(name)` returns it and models compiled with it
 * through `compileWithNamedLosses` can be saved and loaded again. Register it (in the same
 * way) before calling `loadModelWithLosses` in the process that loads the model.
 *
 * Returns the function to pass to `model.compile`: `fn` itself when `fn.name === name`, else a
 * wrapper whose `name` is `name` (tfjs labels metrics and logs by function name).
 *
 * Throws when `name` is taken by another function, unless `override` is set; registering the
 * same function again under the same name is a no-op.
 *
 * @example
 * ```ts
 * const weightedBce = (yTrue: tf.Tensor, yPred: tf.Tensor) =>
 *   tf.tidy(() => tf.losses.sigmoidCrossEntropy(yTrue, yPred, 2));
 * registerLoss('weightedBce', weightedBce);
 * ```
 */
export function registerLoss(
  name: string,
  fn: LossFunction,
  options: RegisterOptions = {},
): LossFunction {
  const { losses, lossNames } = registry();
  return register('loss', losses, lossNames, name, fn, options);
}

/**
 * Registers a metric under `name` (see {@link registerLoss}; same rules). Losses need no
 * second registration to be used as metrics: {@link getMetric} falls back to the losses.
 */
export function registerMetric(
  name: string,
  fn: MetricFunction,
  options: RegisterOptions = {},
): MetricFunction {
  const { metrics, metricNames } = registry();
  return register('metric', metrics, metricNames, name, fn, options);
}

/**
 * The loss registered under `name`. Throws listing the registered names (and a likely match,
 * e.g. `dice_loss` -> `diceLoss`) when there is none.
 */
export function getLoss(name: string): LossFunction {
  const fn = registry().losses.get(name);
  if (fn) return fn;
  throw new Error(unknownNameMessage('loss', name, listLosses(), 'registerLoss'));
}

/**
 * The metric registered under `name`, else the loss of that name (any loss can be watched as a
 * metric). Throws listing the valid names when there is neither.
 */
export function getMetric(name: string): MetricFunction {
  const { metrics, losses } = registry();
  const fn = metrics.get(name) ?? losses.get(name);
  if (fn) return fn;
  const valid = [...listMetrics(), ...listLosses().map((loss) => `${loss} (loss)`)];
  throw new Error(unknownNameMessage('metric', name, valid, 'registerMetric'));
}

/** Registered loss names, sorted. */
export function listLosses(): string[] {
  return [...registry().losses.keys()].sort();
}

/** Registered metric names, sorted (losses, also usable as metrics, are not included). */
export function listMetrics(): string[] {
  return [...registry().metrics.keys()].sort();
}

/** The name `fn` is registered under as a loss (as given or as returned by `registerLoss`). */
export function lossNameOf(fn: LossFunction): string | undefined {
  return registry().lossNames.get(fn);
}

/** The name `fn` is registered under as a metric, else as a loss. */
export function metricNameOf(fn: MetricFunction): string | undefined {
  const { metricNames, lossNames } = registry();
  return metricNames.get(fn) ?? lossNames.get(fn);
}

/**
 * Registers one of this package's own functions at import, keeping an existing entry: a second
 * copy of the package (ESM next to CJS) must neither throw nor undo a user's `override`.
 */
export function registerBuiltin(kind: 'loss' | 'metric', fn: LossFunction): void {
  const state = registry();
  const table = kind === 'loss' ? state.losses : state.metrics;
  const names = kind === 'loss' ? state.lossNames : state.metricNames;
  if (!table.has(fn.name)) table.set(fn.name, fn);
  names.set(fn, fn.name);
}

function register(
  kind: 'loss' | 'metric',
  table: Map<string, LossFunction>,
  names: WeakMap<object, string>,
  name: string,
  fn: LossFunction,
  { override = false }: RegisterOptions,
): LossFunction {
  const registerFunction = kind === 'loss' ? 'registerLoss' : 'registerMetric';
  if (typeof name !== 'string' || !VALID_NAME.test(name)) {
    throw new Error(
      `${registerFunction}: name ${JSON.stringify(name)} is not valid; use a letter followed ` +
        'by letters, digits, "_", "." or "-" (e.g. "weightedDice")',
    );
  }
  if (typeof fn !== 'function') {
    throw new Error(
      `${registerFunction}('${name}', fn): fn must be a function (yTrue, yPred) => tf.Scalar`,
    );
  }
  const existing = table.get(name);
  if (existing && (existing === fn || names.get(fn) === name)) return existing;
  if (existing && !override) {
    throw new Error(
      `${registerFunction}: a different ${kind} is already registered as '${name}'; choose ` +
        `another name or pass { override: true } to replace it`,
    );
  }
  const named = fn.name === name ? fn : withName(name, fn);
  table.set(name, named);
  names.set(fn, name);
  names.set(named, name);
  return named;
}

/** A wrapper of `fn` whose `name` property is `name`. */
function withName(name: string, fn: LossFunction): LossFunction {
  const named: LossFunction = (yTrue, yPred, options) => fn(yTrue, yPred, options);
  Object.defineProperty(named, 'name', { value: name });
  return named;
}

function unknownNameMessage(
  kind: 'loss' | 'metric',
  name: string,
  valid: string[],
  registerFunction: string,
): string {
  const normalize = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, '');
  const match = valid.find((candidate) => normalize(candidate.split(' ')[0]!) === normalize(name));
  const hint = match ? ` Did you mean '${match.split(' ')[0]}'?` : '';
  return (
    `Unknown ${kind} '${name}'.${hint} Valid ${kind} names: ${valid.join(', ')}. ` +
    `A custom ${kind} must be registered with ${registerFunction}('${name}', fn) before a ` +
    `model using it is compiled or loaded.`
  );
}
