/**
 * The command line every app shares, on the fake recipe, before any data is read: the overview
 * and per-command `--help` (generated from the flag specs), and a bad command line or --config
 * file rejected with exit 2 and one line. Outputs of the commands: train-command.test.ts,
 * evaluate-command.test.ts, predict-command.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expectOk } from '@unet/cli-test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_PROGRAM, fakeRecipe } from '../test/fake-recipe.js';
import { expectFakeError, fakeCli, tempDir } from '../test/run-in-process.js';

/** The flags each command lists in `--help`, in this order: the contract the apps' users see. */
const COMMAND_FLAGS: Record<string, string[]> = {
  train: [
    'data',
    'out',
    'epochs',
    'batch-size',
    'image-size',
    'classes',
    'class-weights',
    'targets',
    'val-split',
    'seed',
    'mask-threshold',
    'recalibrate-bn',
    'backend',
    'compile',
    'learning-rate',
    'patience',
    'max-minutes',
    'split',
    'resume',
    'force',
    'config',
  ],
  evaluate: [
    'data',
    'model',
    'out',
    'split',
    'threshold',
    'subset',
    'at-model-size',
    'mask-threshold',
    'tta',
    'tune-postprocess',
    'backend',
    'compile',
  ],
  predict: [
    'input',
    'model',
    'out',
    'threshold',
    'overlay',
    'tta',
    'instances',
    'simplify',
    'coordinates',
    'probabilities',
    'backend',
    'compile',
    'queue',
    'queue-name',
    'shard',
    'tiles-per-job',
  ],
  worker: ['queue', 'queue-name', 'concurrency', 'lock-duration', 'backend'],
};
const COMMANDS = Object.keys(COMMAND_FLAGS);

const tmp = tempDir('run-cli');
afterAll(tmp.remove);

describe('--help', () => {
  it.each(['--help', '-h', 'help'])('%s lists the commands and exits 0', async (flag) => {
    const r = await fakeCli(flag);
    expectOk(r);
    expect(r.stdout).toContain(`Usage: ${FAKE_PROGRAM} <command> [flags]`);
    expect(r.stdout).toContain(fakeRecipe.description);
    for (const command of COMMANDS)
      expect(r.stdout).toMatch(new RegExp(`^  ${command}  +\\w`, 'm'));
  });

  it('without a command prints the usage and exits 2', async () => {
    const r = await fakeCli();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Usage: ${FAKE_PROGRAM} <command>`);
  });

  it.each(COMMANDS)('on %s lists its flags in order and exits 0', async (command) => {
    const r = await fakeCli(command, '--help');
    expectOk(r);
    expect(r.stdout).toContain(`Usage: ${FAKE_PROGRAM} ${command} [flags]`);
    const listed = [...r.stdout.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual([...COMMAND_FLAGS[command]!, 'help']);
  });

  it("on train shows the recipe's defaults and which flags are required", async () => {
    const { stdout } = await fakeCli('train', '--help');
    expect(stdout).toMatch(/^ {2}--data DIR .*\(required\)$/m);
    expect(stdout).toMatch(/^ {2}--epochs N .*\(default 2\)$/m);
    expect(stdout).toMatch(/^ {2}--image-size N\|HxW .*\(default 32\)$/m);
    expect(stdout).toMatch(/^ {2}--val-split F .*\(default 0.25\)$/m);
    expect(stdout).toMatch(/^ {2}--patience N .*\(default 0\)$/m);
    expect(stdout).toMatch(
      /^ {2}--backend NAME .*one of auto\|tensorflow-gpu\|tensorflow\|wasm\|cpu/m,
    );
    expect(stdout).toMatch(
      /^ {2}--compile MODE .*\(default auto; one of auto\|off\|fp32\|bf16\)$/m,
    );
  });
});

describe('a bad command line exits 2 with one line', () => {
  it('unknown command', async () => {
    expectFakeError(await fakeCli('fit', '--data', 'x'), 2, "unknown command 'fit'", 'train');
  });

  it.each([
    ['train', ['--data', 'x', '--out', 'y', '--epoch', '2'], '--epoch'],
    ['evaluate', ['--data', 'x', '--model', 'm', '--out', 'o', '--tresh', '0.4'], '--tresh'],
    ['predict', ['--input', 'x', '--model', 'm', '--out', 'o', '--overlays'], '--overlays'],
  ])('%s with an unknown flag', async (command, args, flag) => {
    expectFakeError(await fakeCli(command, ...args), 2, `Unknown option '${flag}'`);
  });

  it('a positional argument', async () => {
    expectFakeError(
      await fakeCli('predict', 'scene.tif', '--model', 'm', '--out', 'o'),
      2,
      "'scene.tif'",
    );
  });

  it.each([
    ['train', ['--out', 'y'], 'data'],
    ['train', ['--data', 'x'], 'out'],
    ['evaluate', ['--model', 'm', '--out', 'y'], 'data'],
    ['evaluate', ['--data', 'x', '--out', 'y'], 'model'],
    ['evaluate', ['--data', 'x', '--model', 'm'], 'out'],
    ['predict', ['--model', 'm', '--out', 'y'], 'input'],
    ['predict', ['--input', 'x', '--out', 'y'], 'model'],
    ['predict', ['--input', 'x', '--model', 'm'], 'out'],
  ])('%s %j: the missing flag is required', async (command, args, flag) => {
    expectFakeError(await fakeCli(command, ...args), 2, `${command}: --${flag} is required`);
  });

  it.each([
    [['--epochs', 'many'], "--epochs must be a number, got 'many'"],
    [['--backend', 'gpu'], '--backend must be one of auto, tensorflow-gpu'],
    [['--compile', 'fp16'], '--compile must be one of auto, off, fp32, bf16'],
    [['--val-split', '1.5'], '--val-split must be in (0, 1)'],
    [['--epochs', '0'], '--epochs must be a positive integer'],
    [['--batch-size', '2.5'], '--batch-size must be a positive integer'],
  ])('train %j', async (args, reason) => {
    const out = tmp.fresh();
    expectFakeError(await fakeCli('train', '--data', 'x', '--out', out, ...args), 2, reason);
    expect(fs.existsSync(out)).toBe(false);
  });

  it.each(['evaluate', 'predict'])('%s --threshold outside (0, 1)', async (command) => {
    const input = command === 'evaluate' ? '--data' : '--input';
    const r = await fakeCli(command, input, 'x', '--model', 'm', '--out', 'o', '--threshold', '2');
    expectFakeError(r, 2, '--threshold must be in (0, 1), got 2');
  });
});

describe('a bad --config file exits 2 with one line naming it', () => {
  const write = (name: string, text: string) => {
    const file = path.join(tmp.dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it.each([
    ['unknown flag', '{ "epochs": 1, "learningRat": 0.1 }', "sets unknown flag 'learningRat'"],
    ['no JSON', '{ "epochs": 1, ', 'cannot read --config'],
    ['not an object', '[1, 2]', 'must hold a JSON object of flags'],
    ['value of the wrong type', '{ "epochs": "many" }', "--epochs must be a number, got 'many'"],
  ])('%s', async (label, text, reason) => {
    const file = write(`${label.replaceAll(' ', '-')}.json`, text);
    const out = tmp.fresh();
    const r = await fakeCli('train', '--config', file, '--data', 'x', '--out', out);
    const line = expectFakeError(r, 2, reason);
    if (label !== 'value of the wrong type') expect(line).toContain(file);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('that does not exist, or is not given', async () => {
    const missing = path.join(tmp.dir, 'missing.json');
    expectFakeError(await fakeCli('train', '--config', missing), 2, missing);
    expectFakeError(
      await fakeCli('train', '--config=', '--data', 'x'),
      2,
      '--config needs a FILE.json',
    );
  });
});
