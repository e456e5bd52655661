import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CAMVID_CLASSES,
  ClassListError,
  classListToJson,
  countClassPixels,
  DataFileError,
  listCamvid,
  medianFrequencyWeights,
  medianFrequencyWeightsOfSamples,
  parseClassList,
  readCamvid,
  readClassList,
} from '@unet/data';
import { describe, expect, it } from 'vitest';
import { hasSharedData, referenceDir, sharedData, useTempDir, writeText } from './test-support.js';

const dir = useTempDir();

describe('class lists (classes.json)', () => {
  it('round-trips the CamVid list through the JSON format', async () => {
    const file = path.join(dir(), 'classes.json');
    await writeText(file, classListToJson(CAMVID_CLASSES));
    const list = await readClassList(file);
    expect(list).toEqual(CAMVID_CLASSES);
    expect(list.classes[3]).toEqual({ name: 'Road', color: [128, 64, 128] });
  });

  it('accepts classes without colours (index masks need none)', () => {
    const list = parseClassList({ classes: [{ name: 'bg' }, { name: 'fg' }], ignoreIndex: 255 });
    expect(list.classes.map((c) => c.name)).toEqual(['bg', 'fg']);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /must be a JSON object/],
    ['no classes array', { ignoreIndex: 3 }, /"classes" must be an array/],
    ['a single class', { classes: [{ name: 'cell' }] }, /at least 2 classes/],
    ['an empty name', { classes: [{ name: 'a' }, { name: ' ' }] }, /classes\[1\]\.name/],
    [
      'a duplicate name',
      { classes: [{ name: 'a' }, { name: 'a' }] },
      /"a" is used by classes 0 and 1/,
    ],
    [
      'a bad colour',
      {
        classes: [
          { name: 'a', color: [0, 0, 256] },
          { name: 'b', color: [1, 1, 1] },
        ],
      },
      /classes\[0\]\.color must be \[r, g, b\]/,
    ],
    [
      'a colour used twice',
      {
        classes: [
          { name: 'a', color: [9, 9, 9] },
          { name: 'b', color: [9, 9, 9] },
        ],
      },
      /colour \[9,9,9\] is used by classes 0 \("a"\) and 1 \("b"\)/,
    ],
    [
      'colours on some classes only',
      { classes: [{ name: 'a', color: [9, 9, 9] }, { name: 'b' }] },
      /classes\[1\] \("b"\) has no colour/,
    ],
    [
      'an ignore index that is a class',
      { classes: [{ name: 'a' }, { name: 'b' }], ignoreIndex: 1 },
      /ignoreIndex 1 is the index of class "b"/,
    ],
    [
      'an ignore index beyond a byte',
      { classes: [{ name: 'a' }, { name: 'b' }], ignoreIndex: 256 },
      /ignoreIndex must be an integer in 0\.\.255/,
    ],
    [
      'an ignore colour without an ignore index',
      { classes: [{ name: 'a' }, { name: 'b' }], ignoreColor: [0, 0, 0] },
      /ignoreColor is set but ignoreIndex is not/,
    ],
    [
      'a misspelt field',
      { classes: [{ name: 'a' }, { name: 'b' }], ignoreIdx: 11 },
      /unknown field "ignoreIdx"/,
    ],
  ];
  for (const [what, json, message] of invalid) {
    it(`rejects ${what}, naming the source`, () => {
      expect(() => parseClassList(json, 'my/classes.json')).toThrow(ClassListError);
      expect(() => parseClassList(json, 'my/classes.json')).toThrow(message);
      expect(() => parseClassList(json, 'my/classes.json')).toThrow(/^my\/classes\.json: /);
    });
  }

  it('reports a file that is not JSON or not a valid list as a DataFileError naming it', async () => {
    const broken = path.join(dir(), 'broken.json');
    await writeText(broken, '{ "classes": [');
    await expect(readClassList(broken)).rejects.toThrow(DataFileError);
    await expect(readClassList(broken)).rejects.toThrow(`${broken}: cannot read class list JSON`);
    const single = path.join(dir(), 'single.json');
    await writeText(single, '{ "classes": [{ "name": "x" }] }');
    const error = (await readClassList(single).catch((e: unknown) => e)) as DataFileError;
    expect(error.problem).toBe('bad-class-list');
    expect(error.message).toMatch(new RegExp(`^${single}: needs at least 2 classes`));
  });
});

describe('median-frequency class weights', () => {
  it('match a hand computation', () => {
    // Image A (4 px): 0 0 1 void. Image B (4 px): 0 2 2 2. Ignore = 9.
    // Labelled pixels: A 3, B 4. freq0 = 3 / (3 + 4) = 3/7 (in both), freq1 = 1/3 (A only),
    // freq2 = 3/4 (B only); median of {1/3, 3/7, 3/4} = 3/7.
    const masks = [{ data: [0, 0, 1, 9] }, { data: new Uint8Array([0, 2, 2, 2]) }];
    expect(countClassPixels(masks, 4, 9)).toEqual({
      pixels: [3, 1, 3, 0],
      presentPixels: [7, 3, 4, 0],
    });
    const weights = medianFrequencyWeights(masks, 4, 9);
    const median = 3 / 7;
    expect(weights[0]).toBeCloseTo(1, 12);
    expect(weights[1]).toBeCloseTo(median / (1 / 3), 12);
    expect(weights[2]).toBeCloseTo(median / (3 / 4), 12);
    expect(weights[3]).toBe(0); // never present
  });

  it('takes the mean of the two middle frequencies for an even count, like numpy.median', () => {
    // A = 0 0 0 1, B = 2 3 3 3 3: freqs 3/4, 1/4, 1/5, 4/5; median (1/4 + 3/4) / 2 = 1/2.
    const weights = medianFrequencyWeights([{ data: [0, 0, 0, 1] }, { data: [2, 3, 3, 3, 3] }], 4);
    const expected = [0.5 / 0.75, 0.5 / 0.25, 0.5 / 0.2, 0.5 / 0.8];
    for (const [c, w] of weights.entries()) expect(w).toBeCloseTo(expected[c]!, 12);
  });

  it('rejects a value that is neither a class nor the ignore value', () => {
    expect(() => countClassPixels([{ data: [0, 5] }], 3, 11)).toThrow(
      /mask 0: pixel 1 holds 5, not a class index 0\.\.2 nor the ignore value 11/,
    );
  });

  it.runIf(hasSharedData('camvid'))('match numpy on the CamVid training masks', async () => {
    const reference = JSON.parse(readFileSync(path.join(referenceDir, 'camvid.json'), 'utf8')) as {
      trainMedianFrequencyWeights: number[];
    };
    const { samples } = await readCamvid(path.join(sharedData, 'camvid'), { cache: false });
    expect(samples).toHaveLength(60);
    const weights = medianFrequencyWeights(
      samples.map((s) => s.mask!),
      11,
      11,
    );
    expect(weights).toHaveLength(11);
    // The same from lazy references, one sample loaded at a time.
    const refs = await listCamvid(path.join(sharedData, 'camvid'), { cache: false });
    expect(await medianFrequencyWeightsOfSamples(refs, 11, 11)).toEqual(weights);
    await expect(medianFrequencyWeightsOfSamples(refs.slice(0, 1), 11)).rejects.toThrow(
      /sample "0001TP_006690" \(.*trainannot\/0001TP_006690\.png\): pixel \d+ holds 11, not a class index 0\.\.10 \(no ignoreIndex given\)/,
    );
    weights.forEach((w, c) => {
      expect(w, CAMVID_CLASSES.classes[c]!.name).toBeCloseTo(
        reference.trainMedianFrequencyWeights[c]!,
        10,
      );
    });
  });
});
