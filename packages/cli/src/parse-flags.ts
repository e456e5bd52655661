import { parseArgs } from 'node:util';
import type { CommandSpec, FlagSpecs, FlagValues } from './command-spec.js';

/** A bad command line: the CLI prints its message on one line and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What {@link parseFlags} returns: `--help` was asked for, or the flags' typed values. */
export type ParsedFlags<F extends FlagSpecs> = { help: true } | (FlagValues<F> & { help?: never });

/** Settings read from `--config FILE.json`, keyed by flag name; checked like command-line values. */
export type ConfigValues = Readonly<Record<string, unknown>>;

/** Parses `argv` against a command's flags, applying defaults, types, choices and required flags. */
export function parseFlags<F extends FlagSpecs>(
  spec: CommandSpec<F>,
  argv: string[],
  fromConfig?: ConfigValues,
): ParsedFlags<F>;
// The implementation is written against the untyped record: TypeScript cannot follow a loop
// over `spec.flags` into the mapped type. The loop checks every value against its own spec
// (type, choices, required), which is what makes the typed signature above hold.
export function parseFlags(
  spec: CommandSpec,
  argv: string[],
  fromConfig: ConfigValues = {},
): { help: true } | Record<string, string | number | boolean> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type === 'boolean' ? 'boolean' : 'string' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(
      `${spec.name}: ${(error as Error).message.split('\n')[0]} (see ${spec.name} --help)`,
    );
  }
  if (parsed.values.help) return { help: true };
  const values: Record<string, string | number | boolean> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const raw = parsed.values[name] ?? fromConfig[name] ?? flag.default;
    if (raw === undefined) {
      if (flag.required)
        throw new UsageError(`${spec.name}: --${name} is required (see ${spec.name} --help)`);
      continue;
    }
    if (flag.type === 'number') {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isFinite(n))
        throw new UsageError(`${spec.name}: --${name} must be a number, got '${raw}'`);
      values[name] = n;
    } else if (flag.type === 'boolean') {
      values[name] = raw === true || raw === 'true';
    } else {
      const s = String(raw);
      if (flag.choices && !flag.choices.includes(s)) {
        throw new UsageError(
          `${spec.name}: --${name} must be one of ${flag.choices.join(', ')}, got '${s}'`,
        );
      }
      values[name] = s;
    }
  }
  return values;
}

/** The `--help` text, generated from the same spec the parser uses so the two cannot drift apart. */
export function formatHelp(program: string, spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const left = `  --${name}${flag.type === 'boolean' ? '' : ` ${flag.value ?? 'VALUE'}`}`;
    const extra = [
      flag.required ? 'required' : undefined,
      flag.default !== undefined && flag.type !== 'boolean' ? `default ${flag.default}` : undefined,
      flag.type === 'string' && flag.choices ? `one of ${flag.choices.join('|')}` : undefined,
    ].filter(Boolean);
    return `${left.padEnd(30)} ${flag.help}${extra.length ? ` (${extra.join('; ')})` : ''}`;
  });
  return [
    `Usage: ${program} ${spec.name} [flags]`,
    '',
    spec.summary,
    '',
    'Flags:',
    ...rows,
    '  --help                       this text',
    '',
  ].join('\n');
}

/** `--mask-threshold` checked (a fraction in (0, 1]), or null when not given. */
export function maskThresholdFlag(command: string, value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!(value > 0 && value <= 1))
    throw new UsageError(`${command}: --mask-threshold must be in (0, 1], got ${value}`);
  return value;
}
