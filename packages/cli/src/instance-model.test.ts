// The instance-model files of `train --targets instances` (targets.json, the interior settings of
// postprocess.json) and the flag's usage errors; the recipe end to end is tested on real DSB2018
// samples in apps/dsb2018/src/instances.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTANCE_TARGET_CLASSES } from '@unet/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRecipe } from '../test/fake-recipe.js';
import { instanceRecipe } from '../test/object-fixtures.js';
import { readModelTargets, trainTargets, writeModelTargets } from './instance-model.js';
import { DEFAULT_INTERIOR_SPLIT, readSplitSettings } from './instance-postprocess.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-instance-model-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('trainTargets', () => {
  it('gives the 3 instance classes for --targets instances of an instance recipe', () => {
    expect(trainTargets(instanceRecipe, { targets: 'binary' })).toEqual({
      targets: 'binary',
      classes: null,
    });
    expect(trainTargets(instanceRecipe, { targets: 'instances' })).toEqual({
      targets: 'instances',
      classes: INSTANCE_TARGET_CLASSES,
    });
  });

  it('refuses recipes without instances and --classes', () => {
    expect(() => trainTargets(fakeRecipe, { targets: 'instances' })).toThrow(
      /--targets instances needs an instance recipe \(unet-fake/,
    );
    expect(() =>
      trainTargets(instanceRecipe, { targets: 'instances', classes: 'classes.json' }),
    ).toThrow(/has its own classes .* drop --classes/);
  });
});

describe('targets.json and postprocess.json of an instance model', () => {
  it('round-trips the targets; models without the file are binary', async () => {
    const model = path.join(dir, 'instances');
    fs.mkdirSync(model);
    expect(await readModelTargets('evaluate', model)).toBe('binary');
    await writeModelTargets(model, 'instances');
    expect(await readModelTargets('evaluate', model)).toBe('instances');
    expect(await readSplitSettings(model, 'instances')).toEqual({
      settings: DEFAULT_INTERIOR_SPLIT,
      source: 'defaults',
    });
  });

  it('names the file and what is wrong with it', async () => {
    const model = path.join(dir, 'bad');
    fs.mkdirSync(model);
    fs.writeFileSync(path.join(model, 'targets.json'), '{"targets": "boundaries"}');
    await expect(readModelTargets('predict', model)).rejects.toThrow(
      /predict: .*targets\.json: "targets" must be "binary" or "instances", got "boundaries"/,
    );
    fs.writeFileSync(path.join(model, 'targets.json'), '{');
    await expect(readModelTargets('predict', model)).rejects.toThrow(/targets\.json: not JSON/);
    // Distance settings (a binary model's) do not fit an instance model, nor the reverse.
    const file = path.join(model, 'postprocess.json');
    fs.writeFileSync(file, JSON.stringify({ instances: { h: 1, minArea: 10 } }));
    await expect(readSplitSettings(model, 'instances')).rejects.toThrow(
      /postprocess\.json: expected .*"markers": "interior".*\(an instance model\)/,
    );
    const interior = { markers: 'interior', interiorThreshold: 0.6, minArea: 20 };
    fs.writeFileSync(file, JSON.stringify({ instances: interior }));
    expect((await readSplitSettings(model, 'instances')).settings).toEqual(interior);
    await expect(readSplitSettings(model, 'binary')).rejects.toThrow(
      /expected \{ "instances": \{ "h"/,
    );
  });
});
