import fs from 'node:fs';
import {
  type CommandSpec,
  EVALUATE_FLAGS,
  type FlagSpecs,
  type FlagValues,
  PREDICT_FLAGS,
  trainFlags,
} from './command-spec.js';
import { evaluateCommand } from './evaluate-command.js';
import { EXPORT_SPEC, exportCommand } from './export-command.js';
import { type ConfigValues, formatHelp, parseFlags, UsageError } from './parse-flags.js';
import { predictCommand } from './predict-command.js';
import type { SegmentationRecipe } from './recipe.js';
import { trainCommand } from './train-command.js';
import { WORKER_FLAGS, workerCommand } from './worker-command.js';

/**
 * A command an app adds next to train, evaluate and predict (e.g. `demo`). Declare its flags
 * `as const satisfies FlagSpecs` and `run` receives them typed.
 */
export interface ExtraCommand<F extends FlagSpecs = FlagSpecs> {
  spec: CommandSpec<F>;
  // Method syntax on purpose: its parameter is checked bivariantly, so a command with its own
  // flag types fits in a list of `ExtraCommand`; `runCommand` hands each `run` the values parsed
  // from that command's own spec.
  run(flags: FlagValues<F>, log: (line: string) => void): Promise<void>;
}

/** Infers `F` from `spec.flags`, so that `run` sees the flags typed (an identity at run time). */
export function defineCommand<const F extends FlagSpecs>(
  command: ExtraCommand<F>,
): ExtraCommand<F> {
  return command;
}

/** Options of {@link runSegmentationCli}. */
export interface RunCliOptions {
  /** Commands beyond the shared three. */
  extraCommands?: ExtraCommand[];
  /** Where progress lines go. Default stderr. */
  log?: (line: string) => void;
  /** Where `--help` goes. Default stdout. */
  print?: (text: string) => void;
}

/** An error message on one line: its first, or a heading ending in ':' joined with what follows. */
function oneLine(message: string): string {
  const [first = '', ...rest] = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (!first.endsWith(':') || rest.length === 0) return first;
  return `${first} ${rest.map((line) => line.replace(/^- /, '')).join('; ')}`;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Flags from `--config FILE.json` (keys as flags, `batch-size` or `batchSize`). */
function readConfigFlags(argv: string[], spec: CommandSpec): ConfigValues {
  // `--config FILE` or `--config=FILE`, the last one winning as in parseArgs.
  let file: string | undefined;
  for (const [i, arg] of argv.entries()) {
    if (arg === '--config') file = argv[i + 1] ?? '';
    else if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
  }
  if (file === undefined) return {};
  if (!file) throw new UsageError(`${spec.name}: --config needs a FILE.json`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${spec.name}: cannot read --config ${file}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UsageError(`${spec.name}: --config ${file} must hold a JSON object of flags`);
  }
  const flags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const name = kebab(key);
    if (!(name in spec.flags) || name === 'config') {
      throw new UsageError(`${spec.name}: --config ${file} sets unknown flag '${key}'`);
    }
    flags[name] = value;
  }
  return flags;
}

function overview(recipe: SegmentationRecipe, specs: CommandSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length));
  return [
    `Usage: ${recipe.program} <command> [flags]`,
    '',
    recipe.description,
    '',
    'Commands:',
    ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    `Run '${recipe.program} <command> --help' for its flags.`,
    '',
  ].join('\n');
}

/**
 * The command line every per-dataset app shares: `train`, `evaluate`, `predict` (plus extra
 * commands), `--help` generated from the flag specs, and a non-zero exit with a one-line reason
 * on bad input (2: bad command line, 1: bad data or failure). Resolves to the exit code.
 */
export async function runSegmentationCli(
  recipe: SegmentationRecipe,
  argv: string[] = process.argv.slice(2),
  options: RunCliOptions = {},
): Promise<number> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const print = options.print ?? ((text: string) => process.stdout.write(text));
  const commands: ExtraCommand[] = [
    defineCommand({
      spec: {
        name: 'train',
        summary: 'train a U-Net on a dataset folder',
        flags: trainFlags(recipe.defaults),
      },
      run: (flags) => trainCommand(recipe, flags, log),
    }),
    defineCommand({
      spec: {
        name: 'evaluate',
        summary: 'score a trained model (Dice, IoU, precision, recall)',
        flags: EVALUATE_FLAGS,
      },
      run: (flags) => evaluateCommand(recipe, flags, log),
    }),
    defineCommand({
      spec: {
        name: 'predict',
        summary: 'write a PNG mask per image, at its original size',
        flags: PREDICT_FLAGS,
      },
      run: (flags) => predictCommand(recipe, flags, log),
    }),
    defineCommand({ spec: EXPORT_SPEC, run: (flags) => exportCommand(recipe, flags, log) }),
    defineCommand({
      spec: {
        name: 'worker',
        summary: 'take predict --queue jobs from Redis',
        flags: WORKER_FLAGS,
      },
      run: (flags) => workerCommand(recipe, flags, log),
    }),
    ...(options.extraCommands ?? []),
  ];
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    print(
      overview(
        recipe,
        commands.map((c) => c.spec),
      ),
    );
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.spec.name === name);
  try {
    if (!command) {
      throw new UsageError(
        `unknown command '${name}': use ${commands.map((c) => c.spec.name).join(', ')} (see --help)`,
      );
    }
    const flags = parseFlags(command.spec, rest, readConfigFlags(rest, command.spec));
    if (flags.help) {
      print(formatHelp(recipe.program, command.spec));
      return 0;
    }
    await command.run(flags, log);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${recipe.program}: error: ${oneLine(message)}`);
    if (process.env.UNET_DEBUG) log(error instanceof Error ? (error.stack ?? message) : message);
    return error instanceof UsageError ? 2 : 1;
  }
}
