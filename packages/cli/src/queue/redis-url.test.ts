import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from './redis-url.js';

describe('--queue URL', () => {
  it('reads host, port and database', () => {
    expect(parseRedisUrl('redis://10.0.0.5:6380/2')).toEqual({
      label: 'redis://10.0.0.5:6380/2',
      options: { host: '10.0.0.5', port: 6380, db: 2 },
    });
    expect(parseRedisUrl('redis://queue-host').options).toEqual({
      host: 'queue-host',
      port: 6379,
      db: 0,
    });
    const auth = parseRedisUrl('redis://user:s%40cret@h:1/0');
    expect(auth.options).toMatchObject({ username: 'user', password: 's@cret' });
    expect(auth.label).not.toContain('cret');
  });

  it('refuses what is not a redis:// URL', () => {
    for (const bad of ['localhost:6379', 'http://h:1', 'redis://h:1/x', 'redis://h:1/-1']) {
      expect(() => parseRedisUrl(bad), bad).toThrow(/--queue/);
    }
  });
});
