import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commonJsTwin } from './commonjs-twin.js';

describe('commonJsTwin', () => {
  it('turns the leading imports into require calls and wraps the rest in an async function', () => {
    const esm = [
      '// A comment stays.',
      "import assert from 'node:assert/strict';",
      "import * as tf from '@tensorflow/tfjs';",
      'import {',
      '  a,',
      '  b as c,',
      "} from '@unet/data';",
      "import 'side-effect';",
      '',
      'await tf.ready();',
      'assert.ok(a && c);',
    ].join('\n');
    const cjs = commonJsTwin(esm, 'smoke.mjs');
    expect(cjs).toContain('// A comment stays.');
    expect(cjs).toContain("const assert = require('node:assert/strict');");
    expect(cjs).toContain("const tf = require('@tensorflow/tfjs');");
    expect(cjs).toContain("const { a, b: c } = require('@unet/data');");
    expect(cjs).toContain("require('side-effect');");
    expect(cjs).not.toMatch(/^import /m);
    expect(cjs.indexOf('(async () => {')).toBeLessThan(cjs.indexOf('await tf.ready();'));
    expect(cjs.indexOf("require('@unet/data')")).toBeLessThan(cjs.indexOf('(async () => {'));
  });

  it('refuses what it cannot translate faithfully', () => {
    expect(() => commonJsTwin("import x from '@unet/data';\n", 'a.mjs')).toThrow(/cannot/);
    expect(() => commonJsTwin("import x, { y } from 'node:fs';\n", 'a.mjs')).toThrow(/cannot/);
    expect(() => commonJsTwin('const x = 1;\nexport { x };\n', 'a.mjs')).toThrow(/CommonJS/);
    expect(() => commonJsTwin('console.log(import.meta.url);\n', 'a.mjs')).toThrow(/CommonJS/);
  });

  it('runs under node as CommonJS: top-level await works and a rejection exits with 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-cjs-twin-'));
    try {
      const write = (esm: string) => {
        const file = path.join(dir, 'twin.cjs');
        fs.writeFileSync(file, commonJsTwin(esm, 'twin.mjs'));
        return file;
      };
      const ok = write(
        "import path from 'node:path';\nconst v = await Promise.resolve(path.sep);\nconsole.log('ok', typeof require, v);\n",
      );
      expect(execFileSync(process.execPath, [ok], { encoding: 'utf8' })).toBe(
        `ok function ${path.sep}\n`,
      );
      const failing = write("await Promise.reject(new Error('boom'));\n");
      let status: number | null = null;
      try {
        execFileSync(process.execPath, [failing], { stdio: 'pipe' });
      } catch (error) {
        status = (error as { status: number | null }).status;
      }
      expect(status).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
