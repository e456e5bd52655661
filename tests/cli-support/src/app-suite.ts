/**
 * The end-to-end suite every app runs on its built CLI, stated once: each app's `cli.test.ts`
 * gives its data, its training flags and what its outputs must hold, and adds the tests that are
 * its own. Checked: --help lists the commands; one shared training writes a loadable model,
 * history.csv, config.json and split.json; evaluate scores the data; predict writes a mask at the
 * original size and an overlay; missing data, a bad --image-size and a corrupt image fail with one
 * line; a data folder of symlinks reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, expectOk, pngSize, readJson } from './files.js';
import { cliHarness } from './harness.js';
import {
  expectBinaryMask,
  expectHistory,
  expectLoadableModel,
  expectScored,
  type LoadedModel,
} from './outputs.js';

/** Flag values by name; `true` is a bare flag, `false` or `undefined` leaves the flag out. */
export type Flags = Record<string, string | number | boolean | undefined>;

/** `{ data, 'image-size': 64, overlay: true }` as `['--data', data, '--image-size', '64', '--overlay']`. */
export function cliArgs(flags: Flags): string[] {
  return Object.entries(flags).flatMap(([name, value]) =>
    value === undefined || value === false
      ? []
      : value === true
        ? [`--${name}`]
        : [`--${name}`, String(value)],
  );
}

/**
 * One app's CLI, its temp folder made in `beforeAll` and removed in `afterAll` of the calling
 * file, and `dataRoot`, the shared ../shared/data beside the repository.
 */
export function appCli(program: string, testFileUrl: string) {
  const appDir = fileURLToPath(new URL('..', testFileUrl));
  const harness = cliHarness({ program, appDir });
  let tmp: string | undefined;
  beforeAll(() => {
    tmp = harness.setUp();
  });
  afterAll(harness.tearDown);

  /** A path under the temp folder. */
  function at(...parts: string[]): string {
    if (!tmp) throw new Error('appCli: the temp folder is made in beforeAll');
    return path.join(tmp, ...parts);
  }

  /** `dir` under ../shared/data, and whether `marker` (under it) exists; warns when not. */
  function sharedData(dir: string, marker = '') {
    const root = path.resolve(appDir, '../../../shared/data', dir);
    const hasData = fs.existsSync(path.join(root, marker));
    if (!hasData) console.warn(`[${program} cli.test] ${root} not found: data tests skipped`);
    return { root, hasData };
  }

  return {
    ...harness,
    program,
    appDir,
    at,
    sharedData,
    /** `<command> --flag value ...`. */
    run: (command: string, flags: Flags, ...rest: string[]) =>
      harness.cli(command, ...cliArgs(flags), ...rest),
  };
}

export type AppCli = ReturnType<typeof appCli>;

/** `--help` (and each of `flags`) exits 0 and lists each command, and each `contains` string. */
export function itListsCommands(
  app: AppCli,
  commands: string[],
  { flags = ['--help'], contains = [] as string[], title = 'on the app lists every command' } = {},
): void {
  it(`${title} and exits 0`, async () => {
    for (const flag of flags) {
      const r = await app.cli(flag);
      expectOk(r);
      for (const command of commands) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      for (const text of contains) expect(r.stdout).toContain(text);
    }
  });
}

/** The shared training of a data suite, filled in by its `beforeAll`. */
export interface TrainedRun {
  data: string;
  out: string;
  model: string;
  trained: CliResult;
}

export type Split = { train: string[]; val: string[] };

/** split.json covers `ids` with non-empty, disjoint train and val (of `valCount` if given). */
export function expectSplitCovers(split: Split, ids: string[], valCount?: number): void {
  if (valCount === undefined) expect(split.val.length).toBeGreaterThan(0);
  else expect(split.val).toHaveLength(valCount);
  expect(split.train.length).toBeGreaterThan(0);
  expect([...split.train, ...split.val].sort()).toEqual([...ids].sort());
}

export interface TrainedSuiteSpec {
  title: string;
  hasData: boolean;
  /** Lays out the data under the temp folder and returns its folder. */
  prepare(): string | Promise<string>;
  /** The training's flags besides --data and --out. */
  trainFlags: Flags;
  /** Something the training's log must say, besides its exit 0. */
  trainLog?: { title: string; pattern: RegExp };
  load: (url: string) => Promise<LoadedModel>;
  shapes: [(number | null)[], (number | null)[]];
  history: { columns: string[]; check?(file: string): void };
  /** config.json holds these (and program, data, out). */
  config: Record<string, unknown>;
  configTitle?: string;
  configCheck?(config: Record<string, unknown>): void;
  split: { title?: string; check(split: Split, run: TrainedRun): void };
  evaluate: {
    title: string;
    ids(): string[];
    metrics: string[];
    check?(dir: string, r: CliResult): void;
  };
  predict: {
    title?: string;
    input(run: TrainedRun): string;
    /** The mask's (and overlay's) file name. */
    name: string;
    inputSize: { width: number; height: number };
    check?(dir: string): void;
  };
  badInput: {
    /** predict --input <missing> fails too. */
    predictMissing?: boolean;
    corruptTitle?: string;
    /** A copy of the data with one corrupt image `garbage`; `images` is its folder of images. */
    corrupt(run: TrainedRun): Promise<Corrupt> | Corrupt;
    imageSize: number;
    reason?: RegExp;
  };
  symlinked: { title: string; make(run: TrainedRun): string };
  /** The app's own tests, inside the suite. */
  more?(run: TrainedRun): void;
}

export interface Corrupt {
  broken: string;
  garbage: string;
  images: string;
}

/** The data suite: one training shared by train, evaluate, predict and bad-input tests. */
export function describeTrainedApp(app: AppCli, spec: TrainedSuiteSpec): void {
  describe.skipIf(!spec.hasData)(spec.title, () => {
    const run = {} as TrainedRun;
    beforeAll(async () => {
      run.data = await spec.prepare();
      run.out = app.at('run');
      run.model = path.join(run.out, 'model');
      run.trained = await app.run('train', { data: run.data, out: run.out, ...spec.trainFlags });
    });
    const { load, shapes, history, split, evaluate, predict, badInput } = spec;

    describe('train', () => {
      it(spec.trainLog?.title ?? 'exits 0', () => {
        expectOk(run.trained);
        if (spec.trainLog) expect(run.trained.stderr).toMatch(spec.trainLog.pattern);
      });

      it('writes a loadable model in OUT/model', () =>
        expectLoadableModel(run.model, load, ...shapes));

      it('writes history.csv with one row per epoch, loss and val_ columns', () => {
        const file = path.join(run.out, 'history.csv');
        expectHistory(file, Number(spec.trainFlags.epochs), history.columns);
        history.check?.(file);
      });

      it(spec.configTitle ?? 'writes config.json with the settings used', () => {
        const config = readJson(path.join(run.out, 'config.json'));
        const { data, out } = run;
        expect(config).toMatchObject({ program: app.program, data, out, resume: false });
        expect(config).toMatchObject(spec.config);
        spec.configCheck?.(config);
      });

      it(split.title ?? 'writes split.json: disjoint train and val ids covering the data', () =>
        split.check(readJson<Split>(path.join(run.out, 'split.json')), run),
      );
    });

    describe('evaluate', () => {
      it(evaluate.title, async () => {
        const dir = app.at('eval-all');
        const r = await app.run('evaluate', { data: run.data, model: run.model, out: dir });
        expectOk(r);
        expectScored(dir, evaluate.ids(), evaluate.metrics);
        evaluate.check?.(dir, r);
      });
    });

    describe('predict', () => {
      const title =
        'on a file writes a 0/255 mask at the original size, and an overlay with --overlay';
      it(predict.title ?? title, async () => {
        const input = predict.input(run);
        const dir = app.at('pred-file');
        expectOk(await app.run('predict', { input, model: run.model, out: dir, overlay: true }));
        const size = await pngSize(input);
        expect(size).toMatchObject(predict.inputSize);
        const { width, height } = size;
        await expectBinaryMask(path.join(dir, 'masks', predict.name), {
          format: 'png',
          width,
          height,
        });
        expect((await pngSize(path.join(dir, 'overlays', predict.name))).format).toBe('png');
        predict.check?.(dir);
      });
    });

    describe('bad input', () => {
      /** `command` on `flags` (with the trained model) fails with one line naming `reasons`. */
      async function expectFails(command: string, flags: Flags, ...reasons: (RegExp | string)[]) {
        const r = await app.run(command, { ...flags, model: run.model, out: app.unused() });
        app.expectOneLineError(r, ...reasons);
      }

      it('--data that does not exist', async () => {
        const missing = app.at('no-such-data');
        await app.expectTrainFailure(['--data', missing], missing, /not found/);
        await expectFails('evaluate', { data: missing }, missing, /not found/);
        if (badInput.predictMissing)
          await expectFails('predict', { input: missing }, missing, /does not exist/);
      });

      it('an --image-size a depth-4 U-Net cannot take', () =>
        app.expectTrainFailure(
          ['--data', run.data, '--image-size', '100'],
          '--image-size 100',
          /multiple of .*16/,
        ));

      it(badInput.corruptTitle ?? 'a corrupt image in the data', async () => {
        const { broken, garbage, images } = await badInput.corrupt(run);
        const reason = badInput.reason ?? /decode|corrupt|not an image/;
        const flags = { data: broken, epochs: 1, 'image-size': badInput.imageSize };
        await app.expectTrainFailure(cliArgs(flags), garbage, reason);
        await expectFails('evaluate', { data: broken }, garbage, reason);
        await expectFails('predict', { input: images }, garbage, reason);
      });
    });

    // Datasets are often assembled from links to files kept elsewhere.
    it(spec.symlinked.title, async () => {
      const data = spec.symlinked.make(run);
      const out = app.at('eval-symlinked');
      expectOk(await app.run('evaluate', { data, model: run.model, out }));
    });

    spec.more?.(run);
  });
}
