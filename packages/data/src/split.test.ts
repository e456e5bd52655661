import { splitDataset } from '@unet/data';
import { describe, expect, it } from 'vitest';

const items = Array.from({ length: 100 }, (_, i) => ({ id: `sample-${i}` }));
const ids = (list: { id: string }[]) => list.map((item) => item.id);

describe('splitDataset', () => {
  it('is deterministic for a seed and independent of the listing order', () => {
    const a = splitDataset(items, { validation: 0.2, test: 0.1, seed: 7 });
    const b = splitDataset([...items].reverse(), { validation: 0.2, test: 0.1, seed: 7 });
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([70, 20, 10]);
    expect(new Set(ids(b.validation))).toEqual(new Set(ids(a.validation)));
    expect(new Set(ids(b.test))).toEqual(new Set(ids(a.test)));
    expect(splitDataset(items, { validation: 0.2, test: 0.1, seed: 7 })).toEqual(a);
  });

  it('partitions the items and keeps input order inside each part', () => {
    const { train, validation, test } = splitDataset(items, { validation: 0.25, test: 0.25 });
    const all = [...train, ...validation, ...test].map((item) => item.id).sort();
    expect(all).toEqual(ids(items).sort());
    const position = (id: string) => items.findIndex((item) => item.id === id);
    for (const part of [train, validation, test]) {
      const positions = part.map((item) => position(item.id));
      expect(positions).toEqual([...positions].sort((p, q) => p - q));
    }
  });

  it('changes with the seed', () => {
    const a = splitDataset(items, { validation: 0.2, seed: 1 });
    const b = splitDataset(items, { validation: 0.2, seed: 2 });
    expect(ids(a.validation)).not.toEqual(ids(b.validation));
  });

  it.each([[{ validation: -0.1 }], [{ validation: 0.6, test: 0.4 }], [{ test: 1 }]])(
    'rejects fractions %j',
    (options) => {
      expect(() => splitDataset(items, options)).toThrow(/leave some items for training/);
    },
  );

  it('rejects duplicate ids', () => {
    expect(() => splitDataset([{ id: 'x' }, { id: 'x' }])).toThrow('duplicate id "x"');
  });
});
