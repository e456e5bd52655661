/**
 * The option parser of the `unet-setup-tensorflow` bin (setup/options.mjs): flags and their
 * environment variables, and a bad command line rejected instead of running the default setup.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readOptions, SetupUsageError, USAGE_EXIT_CODE } from '../setup/options.mjs';

const BIN = fileURLToPath(new URL('../bin/unet-setup-tensorflow.mjs', import.meta.url));
const HOME_ENV = { XDG_CACHE_HOME: '/cache-root' };

describe('readOptions', () => {
  it('without flags (the root postinstall) gives the defaults', () => {
    expect(readOptions([], HOME_ENV)).toEqual({
      help: false,
      skip: false,
      strict: false,
      rebuild: false,
      source: 'auto',
      libDir: undefined,
      wheel: undefined,
      cacheDir: path.resolve('/cache-root/unet-tensorflow'),
      python: 'python3',
      downloadTimeoutMs: 180_000,
    });
  });

  it('reads every flag', () => {
    const options = readOptions(
      [
        '--libtensorflow',
        '/opt/tf',
        '--wheel',
        'tensorflow-cpu==2.20.0',
        '--cache=/c',
        '--python',
        'py',
        '--rebuild',
        '--strict',
        '--skip',
        '-h',
      ],
      HOME_ENV,
    );
    expect(options).toMatchObject({
      source: 'libdir',
      libDir: path.resolve('/opt/tf'),
      wheel: 'tensorflow-cpu==2.20.0',
      cacheDir: path.resolve('/c'),
      python: 'py',
      rebuild: true,
      strict: true,
      skip: true,
      help: true,
    });
    expect(readOptions(['--force-wheel'], HOME_ENV).source).toBe('wheel');
    expect(readOptions(['--download-only'], HOME_ENV).source).toBe('download');
  });

  it('reads the environment variables, which flags override', () => {
    const env = {
      ...HOME_ENV,
      UNET_TF_SOURCE: 'download',
      UNET_TF_STRICT: '1',
      UNET_TF_PYTHON: 'p3',
    };
    expect(readOptions([], env)).toMatchObject({ source: 'download', strict: true, python: 'p3' });
    expect(readOptions(['--force-wheel', '--python', 'p4'], env)).toMatchObject({
      source: 'wheel',
      python: 'p4',
    });
    expect(() => readOptions([], { ...HOME_ENV, UNET_TF_SOURCE: 'pip' })).toThrow(
      /UNET_TF_SOURCE must be/,
    );
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--strict', '--force-whel'], "Unknown option '--force-whel'"],
    [['--wheel'], "'--wheel <value>' argument missing"],
    [['tensorflow-cpu'], "Unexpected argument 'tensorflow-cpu'"],
  ])('rejects %j naming the problem', (argv, reason) => {
    const attempt = () => readOptions(argv, HOME_ENV);
    expect(attempt).toThrow(SetupUsageError);
    expect(attempt).toThrow(reason);
  });
});

describe('the unet-setup-tensorflow bin', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('exits with the usage code and one error line on an unknown flag, doing nothing', () => {
    const r = run('--bogus');
    expect(r.status).toBe(USAGE_EXIT_CODE);
    expect(USAGE_EXIT_CODE).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("unet-setup-tensorflow: error: Unknown option '--bogus' (see --help)\n");
  });

  it('still prints --help and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--force-wheel');
  });
});
