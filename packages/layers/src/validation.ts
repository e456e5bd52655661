import type { UnetBlockSet } from './block-set.js';
import { type BlockSetName, blockSetNames, doubleConvBlocks, unetBlockSets } from './block-sets.js';
import type { ResolvedUnetConfig, UnetConfig } from './config.js';
import { type GeometrySettings, nearestFittingSizes, traceAxis } from './geometry.js';
import {
  type ActivationName,
  activationNames,
  type InitializerName,
  initializerNames,
  kerasInitializerAliases,
  normalizeInitializerName,
  type Padding,
  paddings,
  type Upsampling,
  upsamplings,
} from './layer-settings.js';
import { type UnetPresetName, unetPresetNames } from './presets.js';
import { didYouMean, listNames } from './suggest.js';

/**
 * Thrown by {@link buildUnet} / {@link resolveUnetConfig} for a config that cannot be built.
 * `problems` has one entry per wrong setting, each saying what to change.
 */
export class UnetConfigError extends Error {
  /** One message per problem, e.g. `"filters must be ... ; got 0"`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid U-Net config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UnetConfigError';
    this.problems = problems;
  }
}

const optionNames = [
  'preset',
  'inputShape',
  'depth',
  'filters',
  'batchNorm',
  'dropout',
  'activation',
  'kernelInitializer',
  'upsampling',
  'padding',
  'numClasses',
  'blocks',
  'name',
  'seed',
] as const;

const maxDepth = 8;

type Unchecked = { [K in keyof UnetConfig]?: unknown } & { preset?: unknown; seed?: unknown };

const show = (value: unknown) =>
  typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));

const isPositiveInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isRate = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1;

function oneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
  problems: string[],
  alsoAccepted: readonly string[] = [],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  const hint = typeof value === 'string' ? didYouMean(value, [...allowed, ...alsoAccepted]) : '';
  problems.push(`${field} must be one of ${listNames(allowed)}; got ${show(value)}${hint}`);
  return undefined;
}

/** Per-level values from a number (`expand(level)`) or an array of `depth + 1`. */
function perLevel(
  field: string,
  value: unknown,
  depth: number,
  isValid: (v: unknown) => boolean,
  expand: (v: number, index: number) => number,
  what: string,
  problems: string[],
): number[] | undefined {
  const levels = depth + 1;
  if (isValid(value)) return Array.from({ length: levels }, (_, i) => expand(value as number, i));
  if (Array.isArray(value) && value.length === levels && value.every(isValid)) return [...value];
  const got = Array.isArray(value)
    ? `got ${value.length} ${value.length === 1 ? 'entry' : 'entries'} ${show(value)}`
    : `got ${show(value)}`;
  problems.push(
    `${field} must be ${what}, or an array of depth + 1 = ${levels} of them (levels 1..${depth}, ` +
      `then the bottleneck); ${got}`,
  );
  return undefined;
}

function checkBlocks(value: unknown, problems: string[]) {
  if (typeof value === 'string') {
    const name = oneOf<BlockSetName>('blocks', value, blockSetNames, problems);
    return name && { blocks: unetBlockSets[name] as UnetBlockSet, blocksName: name };
  }
  if (typeof value !== 'object' || value === null) {
    problems.push(
      `blocks must be ${listNames(blockSetNames)} or an object with encoder/bottleneck/decoder ` +
        `functions; got ${show(value)}`,
    );
    return undefined;
  }
  const blocks = { ...doubleConvBlocks, ...value } as UnetBlockSet;
  for (const key of ['encoder', 'bottleneck', 'decoder'] as const) {
    if (typeof blocks[key] !== 'function') {
      problems.push(`blocks.${key} must be a function; got ${show(blocks[key])}`);
    }
  }
  const convs = blocks.convsPerBlock as unknown as Record<string, unknown> | undefined;
  const convCounts = ['encoder', 'bottleneck', 'decoder'].map((k) => convs?.[k]);
  if (!convCounts.every((n) => Number.isInteger(n) && (n as number) >= 0)) {
    problems.push(
      'blocks.convsPerBlock must give the 3x3 convolutions of each block, e.g. ' +
        `{ encoder: 2, bottleneck: 2, decoder: 2 }; got ${show(convs)}`,
    );
  }
  return { blocks, blocksName: 'custom' as const };
}

function sizeProblem(axis: string, size: number, settings: GeometrySettings, why: string): string {
  const { depth, padding } = settings;
  const { below, above } = nearestFittingSizes(size, settings);
  const options = [below, above]
    .filter((s) => s !== undefined)
    .map((s) => (padding === 'valid' ? `${s.input} (output ${s.output})` : `${s.input}`));
  const rule =
    padding === 'same'
      ? `it must be a multiple of 2^${depth} = ${2 ** depth}`
      : 'every unpadded 3x3 convolution trims 2 pixels and each pooling needs an even size';
  return (
    `inputShape ${axis} ${size} does not fit depth ${depth} with padding '${padding}': ${rule} ` +
    `(${why}). Resize or pad your images to ${options.join(' or ')}` +
    (depth > 1 ? ', or use a smaller depth' : '')
  );
}

/**
 * Checks a merged config (defaults < preset < overrides) and expands it. `given` is what the
 * caller passed, to report unknown option names and a missing input shape.
 *
 * @throws {@link UnetConfigError} listing every problem found.
 */
export function validateUnetConfig(merged: Unchecked, given: object): ResolvedUnetConfig {
  const problems: string[] = [];
  for (const key of Object.keys(given)) {
    if (!(optionNames as readonly string[]).includes(key)) {
      problems.push(`unknown option '${key}'${didYouMean(key, optionNames)}`);
    }
  }
  if (merged.seed !== undefined && !Number.isSafeInteger(merged.seed)) {
    problems.push(`seed must be an integer; got ${show(merged.seed)}`);
  }
  const preset =
    merged.preset === undefined
      ? undefined
      : oneOf<UnetPresetName>('preset', merged.preset, unetPresetNames, problems);

  const shape = merged.inputShape;
  let inputShape: [number, number, number] | undefined;
  if (shape === undefined) {
    // (an unknown preset is reported already; its inputShape would have come from it)
    if (merged.preset === undefined || preset !== undefined) {
      problems.push(
        'inputShape is required: [height, width, channels], e.g. [128, 128, 3]; or start from ' +
          "a preset, e.g. { preset: 'dsb2018' }",
      );
    }
  } else if (Array.isArray(shape) && shape.length === 3 && shape.every(isPositiveInteger)) {
    inputShape = [...shape] as [number, number, number];
  } else {
    problems.push(
      'inputShape must be [height, width, channels] with positive integers, e.g. [128, 128, 3] ' +
        `(grayscale: [128, 128, 1]); got ${show(shape)}`,
    );
  }

  let depth: number | undefined;
  if (Number.isInteger(merged.depth) && (merged.depth as number) >= 1) {
    depth = merged.depth as number;
    if (depth > maxDepth) {
      problems.push(`depth must be at most ${maxDepth} (the articles use 4); got ${depth}`);
      depth = undefined;
    }
  } else {
    problems.push(
      `depth must be an integer from 1 to ${maxDepth}, the number of 2x2 poolings (the articles ` +
        `use 4); got ${show(merged.depth)}`,
    );
  }

  const filters =
    depth === undefined
      ? undefined
      : perLevel(
          'filters',
          merged.filters,
          depth,
          isPositiveInteger,
          (base, i) => base * 2 ** i,
          'a positive integer (level 1, doubled at every level down, e.g. 16 -> 16, 32, ..., 256)',
          problems,
        );
  const dropout =
    depth === undefined
      ? undefined
      : perLevel(
          'dropout',
          merged.dropout,
          depth,
          isRate,
          (rate) => rate,
          'a rate in [0, 1) (decoder level i reuses rate i)',
          problems,
        );

  if (typeof merged.batchNorm !== 'boolean') {
    problems.push(`batchNorm must be true or false; got ${show(merged.batchNorm)}`);
  }
  if (merged.activation === 'softmax') {
    problems.push(
      "activation 'softmax' is for the output (chosen by numClasses > 1); hidden layers need " +
        "e.g. 'relu' or 'elu'",
    );
  } else {
    oneOf<ActivationName>('activation', merged.activation, activationNames, problems);
  }
  const kernelInitializer =
    typeof merged.kernelInitializer === 'string'
      ? normalizeInitializerName(merged.kernelInitializer)
      : undefined;
  if (kernelInitializer === undefined) {
    oneOf<InitializerName>(
      'kernelInitializer',
      merged.kernelInitializer,
      initializerNames,
      problems,
      Object.keys(kerasInitializerAliases),
    );
  }
  const upsampling = oneOf<Upsampling>('upsampling', merged.upsampling, upsamplings, problems);
  const padding = oneOf<Padding>('padding', merged.padding, paddings, problems);
  if (!isPositiveInteger(merged.numClasses)) {
    problems.push(
      'numClasses must be a positive integer: 1 for a binary mask (sigmoid output), or the ' +
        `number of classes including background (softmax output); got ${show(merged.numClasses)}`,
    );
  }
  const blockSet = checkBlocks(merged.blocks, problems);
  if (typeof merged.name !== 'string' || merged.name === '') {
    problems.push(`name must be a non-empty string; got ${show(merged.name)}`);
  }

  if (problems.length > 0) throw new UnetConfigError(problems);
  // Every field is valid from here on.
  const settings: GeometrySettings = {
    depth: depth!,
    padding: padding!,
    convsPerBlock: blockSet!.blocks.convsPerBlock,
  };
  const [height, width, channels] = inputShape!;
  const traceH = traceAxis(height, settings);
  const traceW = traceAxis(width, settings);
  if (traceH.problem !== undefined || traceW.problem !== undefined) {
    if (height === width) {
      problems.push(sizeProblem('height and width', height, settings, traceH.problem!));
    } else {
      if (traceH.problem) problems.push(sizeProblem('height', height, settings, traceH.problem));
      if (traceW.problem) problems.push(sizeProblem('width', width, settings, traceW.problem));
    }
    throw new UnetConfigError(problems);
  }
  const h = traceH.sizes;
  const w = traceW.sizes;
  const numClasses = merged.numClasses as number;
  return {
    name: merged.name as string,
    preset,
    inputShape: [height, width, channels],
    depth: depth!,
    filters: filters!,
    dropout: dropout!,
    batchNorm: merged.batchNorm as boolean,
    activation: merged.activation as ActivationName,
    kernelInitializer: kernelInitializer!,
    upsampling: upsampling!,
    padding: padding!,
    numClasses,
    blocks: blockSet!.blocks,
    blocksName: blockSet!.blocksName,
    outputShape: [h.output, w.output, numClasses],
    levelSizes: {
      skips: h.skips.map((s, i) => [s, w.skips[i]!]),
      bottleneck: [h.bottleneck, w.bottleneck],
      decoded: h.decoded.map((s, i) => [s, w.decoded[i]!]),
    },
  };
}
