// What the CPU can do, from /proc/cpuinfo (Linux). Elsewhere nothing is known and every answer
// is false, which keeps the conservative choice.
import { readFileSync } from 'node:fs';

let flags: Set<string> | undefined;

/** The CPU's feature flags (the first processor's `flags` line); empty where unreadable. */
export function cpuFlags(): ReadonlySet<string> {
  if (flags) return flags;
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    flags = new Set(line.trim().split(/\s+/));
  } catch {
    flags = new Set();
  }
  return flags;
}

/**
 * Whether the CPU multiplies bfloat16 natively (AVX512_BF16 or AMX-BF16), so bfloat16 compute
 * is faster than float32. Without them oneDNN emulates bfloat16 and it is slower.
 * `UNET_BF16=0|1` overrides the answer (1 on a CPU without AVX-512 may find no bfloat16 kernels:
 * the compiled step then trains eagerly and says why).
 */
export function cpuHasNativeBfloat16(): boolean {
  const forced = process.env.UNET_BF16;
  if (forced === '0' || forced === '1') return forced === '1';
  const f = cpuFlags();
  return f.has('avx512_bf16') || f.has('amx_bf16');
}
