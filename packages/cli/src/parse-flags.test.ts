/**
 * parseFlags and formatHelp on their own: values typed by the spec (checked by `tsc`, the
 * package's typecheck, through expectTypeOf and @ts-expect-error) and the same rules at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BACKEND_FLAG,
  type CommandSpec,
  type EVALUATE_FLAGS,
  type FlagSpecs,
  type FlagValues,
  type PREDICT_FLAGS,
  type TrainFlags,
  trainFlags,
} from './command-spec.js';
import { formatHelp, parseFlags, UsageError } from './parse-flags.js';
import { defineCommand } from './run-cli.js';

const SPEC = {
  name: 'try',
  summary: 'a command to test the parser',
  flags: {
    out: { type: 'string', value: 'DIR', required: true, help: 'where' },
    size: { type: 'number', value: 'N', default: 64, help: 'how big' },
    rate: { type: 'number', value: 'F', help: 'how fast' },
    mode: { type: 'string', choices: ['fast', 'exact'], default: 'fast', help: 'how' },
    split: { type: 'string', value: 'FILE', help: 'which' },
    dry: { type: 'boolean', default: false, help: 'only say what would happen' },
  },
} as const satisfies CommandSpec;

/** parseFlags, failing the test when it answers `--help`. */
function parse(argv: string[], config?: Record<string, unknown>) {
  const flags = parseFlags(SPEC, argv, config);
  if (flags.help) throw new Error('unexpected --help');
  return flags;
}

describe('parsed flag types follow the spec', () => {
  it('required or defaulted: never undefined; otherwise optional; choices: their union', () => {
    const flags = parse(['--out', 'o']);
    expectTypeOf(flags.out).toEqualTypeOf<string>();
    expectTypeOf(flags.size).toEqualTypeOf<number>();
    expectTypeOf(flags.rate).toEqualTypeOf<number | undefined>();
    expectTypeOf(flags.mode).toEqualTypeOf<'fast' | 'exact'>();
    expectTypeOf(flags.split).toEqualTypeOf<string | undefined>();
    expectTypeOf(flags.dry).toEqualTypeOf<boolean>();
    // @ts-expect-error: not a flag of SPEC
    expect(flags.bogus).toBeUndefined();
  });

  it('for the shared commands', () => {
    type Train = FlagValues<TrainFlags>;
    expectTypeOf<Train['out']>().toEqualTypeOf<string>();
    expectTypeOf<Train['epochs']>().toEqualTypeOf<number>();
    expectTypeOf<Train['resume']>().toEqualTypeOf<boolean>();
    expectTypeOf<Train['split']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Train['backend']>().toEqualTypeOf<
      'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'
    >();
    expectTypeOf<FlagValues<typeof EVALUATE_FLAGS>['at-model-size']>().toEqualTypeOf<boolean>();
    expectTypeOf<FlagValues<typeof PREDICT_FLAGS>['threshold']>().toEqualTypeOf<number>();
    // A spec typed only as FlagSpecs still parses, to optional values of the three types.
    expectTypeOf<FlagValues<FlagSpecs>[string]>().toEqualTypeOf<
      string | number | boolean | undefined
    >();
  });

  it('defineCommand hands run the flags of its own spec', () => {
    const command = defineCommand({
      spec: {
        name: 'x',
        summary: 'x',
        flags: { n: { type: 'number', default: 3, help: 'n' }, backend: BACKEND_FLAG },
      },
      run: async (flags) => {
        expectTypeOf(flags.n).toEqualTypeOf<number>();
        expectTypeOf(flags.backend).toEqualTypeOf<(typeof BACKEND_FLAG.choices)[number]>();
      },
    });
    expect(Object.keys(command.spec.flags)).toEqual(['n', 'backend']);
  });
});

describe('parseFlags', () => {
  it('applies defaults and converts numbers and booleans', () => {
    expect(parse(['--out', 'o', '--rate', '0.5', '--dry'])).toEqual({
      out: 'o',
      size: 64,
      rate: 0.5,
      mode: 'fast',
      dry: true,
    });
  });

  it('takes --config values, which command-line flags override', () => {
    const flags = parse(['--size', '32'], { out: 'from-config', size: 16, dry: true });
    expect(flags).toMatchObject({ out: 'from-config', size: 32, dry: true });
  });

  it('--help wins over missing required flags', () => {
    expect(parseFlags(SPEC, ['--help'])).toEqual({ help: true });
  });

  it.each([
    [[], /^try: --out is required \(see try --help\)$/],
    [['--out', 'o', '--size', 'big'], "--size must be a number, got 'big'"],
    [['--out', 'o', '--mode', 'slow'], "--mode must be one of fast, exact, got 'slow'"],
    [['--out', 'o', '--sise', '3'], "Unknown option '--sise'"],
    [['--out', 'o', 'extra'], "Unexpected argument 'extra'"],
  ])('rejects %j with a UsageError', (argv, reason) => {
    const attempt = () => parseFlags(SPEC, argv);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(reason);
  });

  it('checks --config values as it checks flags', () => {
    expect(() => parse([], { out: 'o', size: 'big' })).toThrow('--size must be a number');
    expect(() => parse([], { out: 'o', mode: 'slow' })).toThrow('--mode must be one of');
  });
});

describe('formatHelp', () => {
  it('lists every flag of the spec with its placeholder, default, choices and required', () => {
    const help = formatHelp('prog', SPEC);
    expect(help.split('\n').slice(0, 3)).toEqual(['Usage: prog try [flags]', '', SPEC.summary]);
    expect(help).toMatch(/^ {2}--out DIR +where \(required\)$/m);
    expect(help).toMatch(/^ {2}--size N +how big \(default 64\)$/m);
    expect(help).toMatch(/^ {2}--mode VALUE +how \(default fast; one of fast\|exact\)$/m);
    expect(help).toMatch(/^ {2}--dry +only say what would happen$/m);
    expect(help).toMatch(/^ {2}--help +this text$/m);
  });

  it('of train shows the recipe defaults and the backends', () => {
    const spec = {
      name: 'train',
      summary: 's',
      flags: trainFlags({ epochs: 7, batchSize: 3, imageSize: 96, valSplit: 0.25 }),
    };
    const help = formatHelp('prog', spec);
    expect(help).toMatch(/--epochs N .*\(default 7\)/);
    expect(help).toMatch(/--image-size N\|HxW .*\(default 96\)/);
    expect(help).toMatch(/--patience N .*\(default 8\)/);
    expect(help).toMatch(/--backend NAME .*one of auto\|tensorflow-gpu\|tensorflow\|wasm\|cpu/);
  });
});
