import { createProgressBar, formatDuration, isCI, progressBarText } from '@unet/data';
import { describe, expect, it } from 'vitest';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = {
    isTTY,
    write: (text: string) => writes.push(text),
  } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('createProgressBar', () => {
  it('is silent when stderr is not a terminal (auto)', () => {
    const { stream, writes } = fakeStream(false);
    const bar = createProgressBar('load', 10, { stream });
    for (let i = 1; i <= 10; i++) bar.update(i);
    bar.finish();
    expect(writes).toEqual([]);
  });

  it('redraws one line on a terminal and ends with a newline', () => {
    const { stream, writes } = fakeStream(true);
    const bar = createProgressBar('load', 4, { stream, width: 4 });
    for (let i = 1; i <= 4; i++) bar.update(i);
    bar.finish();
    expect(writes[0]).toMatch(/^\rload \[>\.\.\.\] 1\/4 /);
    expect(writes.at(-1)).toMatch(/^\rload \[====\] 4\/4 .*ETA 0:00.*\n$/);
    expect(writes.join('').split('\n')).toHaveLength(2);
  });

  it('draws the bar the training progress uses, with a duration ETA', () => {
    expect(progressBarText(0, 10, 10)).toBe('[..........]');
    expect(progressBarText(5, 10, 10)).toBe('[====>.....]');
    expect(progressBarText(10, 10, 10)).toBe('[==========]');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('?');
    expect(isCI({ CI: 'true' })).toBe(true);
    expect(isCI({ CI: '0' })).toBe(false);
  });

  it('prints at most one line per 10% when forced without a terminal', () => {
    const { stream, writes } = fakeStream(false);
    const bar = createProgressBar('load', 1000, { stream, enabled: true });
    for (let i = 1; i <= 1000; i++) bar.update(i);
    bar.finish();
    expect(writes.length).toBeLessThanOrEqual(11);
    expect(writes.at(-1)).toContain('1000/1000');
  });
});
