import { afterEach, describe, expect, it } from 'vitest';
import { cpuHasNativeBfloat16 } from '../cpu-features.js';
import { resolveCompileMode } from './compile-mode.js';

describe('resolveCompileMode', () => {
  const saved = process.env.UNET_BF16;
  afterEach(() => {
    if (saved === undefined) delete process.env.UNET_BF16;
    else process.env.UNET_BF16 = saved;
  });

  it('auto: bf16 on tensorflow with native bfloat16, fp32 without, off on other backends', () => {
    process.env.UNET_BF16 = '1';
    expect(cpuHasNativeBfloat16()).toBe(true);
    expect(resolveCompileMode('auto', 'tensorflow')).toBe('bf16');
    process.env.UNET_BF16 = '0';
    expect(resolveCompileMode('auto', 'tensorflow')).toBe('fp32');
    for (const backend of ['cpu', 'wasm', 'webgl']) {
      expect(resolveCompileMode('auto', backend)).toBe('off');
    }
    expect(resolveCompileMode(undefined, 'cpu')).toBe('off');
  });

  it('an explicit mode stays, except bf16 without native bfloat16 (fp32, said once)', () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    process.env.UNET_BF16 = '1';
    expect(resolveCompileMode('bf16', 'tensorflow', log)).toBe('bf16');
    expect(resolveCompileMode('off', 'tensorflow', log)).toBe('off');
    expect(resolveCompileMode('fp32', 'cpu', log)).toBe('fp32');
    expect(lines).toEqual([]);
    process.env.UNET_BF16 = '0';
    expect(resolveCompileMode('bf16', 'tensorflow', log)).toBe('fp32');
    expect(lines).toEqual([
      '[unet] bf16 asked, but this CPU has no native bfloat16 (AVX512_BF16 or AMX): compiling fp32',
    ]);
  });
});
