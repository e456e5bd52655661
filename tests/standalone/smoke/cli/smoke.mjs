// Smoke test of @unet/cli from an ES module, in a fresh project: a one-recipe app prints the
// commands' --help from the flag specs and rejects a bad command line with exit code 2.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { formatHelp, parseFlags, runSegmentationCli, trainFlags, UsageError } from '@unet/cli';

const recipe = {
  program: 'unet-smoke',
  description: 'A smoke-test recipe.',
  channels: 1,
  defaults: { epochs: 1, batchSize: 2, imageSize: 16, valSplit: 0.25 },
  list: async () => [],
  buildModel: () => tf.sequential(),
  loss: 'binaryCrossentropy',
  metrics: [],
};
// The CLI writes --help to stdout and errors to stderr: capture both.
const out = [];
const stdoutWrite = process.stdout.write;
const stderrWrite = process.stderr.write;
const capture = (text) => {
  out.push(String(text));
  return true;
};
process.stdout.write = capture;
process.stderr.write = capture;
let helpCode;
let badCode;
try {
  helpCode = await runSegmentationCli(recipe, ['train', '--help']);
  badCode = await runSegmentationCli(recipe, ['train', '--out', 'x']);
} finally {
  process.stdout.write = stdoutWrite;
  process.stderr.write = stderrWrite;
}
assert.equal(helpCode, 0);
assert.match(out.join('\n'), /Usage: unet-smoke train/);
assert.equal(badCode, 2);
assert.match(out.join('\n'), /--data is required/);

const spec = { name: 'train', summary: 'train', flags: trainFlags(recipe.defaults) };
assert.match(formatHelp('unet-smoke', spec), /--image-size N/);
assert.throws(() => parseFlags(spec, ['--bogus']), UsageError);

console.log('smoke ok: @unet/cli');
