import * as tf from '@tensorflow/tfjs';
import { CONV2D_BACKPROP_KERNEL, RANDOM_UNIFORM_KERNEL } from '@unet/layers';
import { enableFastPaths, initBackend, TESTED_TFJS_CORE } from '@unet/runtime';
import { describe, expect, it } from 'vitest';

const quiet = { log: () => {}, warn: () => {} };

describe('enableFastPaths', () => {
  it('refuses an untested tfjs-core with one warning and leaves the kernels alone', async () => {
    await initBackend('tensorflow', quiet);
    const warnings: string[] = [];
    const report = enableFastPaths({
      log: () => {},
      warn: (line) => warnings.push(line),
      tfjsCoreVersion: '5.0.0',
    });
    expect(report.enabled).toBe(false);
    expect(report.reason).toMatch(/tfjs-core 5\.0\.0 is not one the fast paths were tested with/);
    expect(warnings).toHaveLength(1);
    // Nothing registered yet in this process: the layers' native paths stay off.
    expect(tf.getKernel(RANDOM_UNIFORM_KERNEL, 'tensorflow')).toBeUndefined();
  });

  it('does nothing on a backend without native kernels', async () => {
    await initBackend('cpu', quiet);
    const report = enableFastPaths(quiet);
    expect(report).toMatchObject({
      enabled: false,
      reason: "backend 'cpu' has no native fast paths",
    });
    expect(tf.getKernel(CONV2D_BACKPROP_KERNEL, 'cpu')).toBeUndefined();
  });

  it('turns the native kernels on for tensorflow and reports what runs in one line', async () => {
    expect(TESTED_TFJS_CORE).toContain(tf.version_core);
    await initBackend('tensorflow', quiet);
    const lines: string[] = [];
    const report = enableFastPaths({ log: (line) => lines.push(line), warn: () => {} });
    expect(report.enabled).toBe(true);
    expect(report.tapeMemoryRelease).toBe(true);
    expect(report.kernels?.native).toBe(true);
    expect(tf.getKernel(RANDOM_UNIFORM_KERNEL, 'tensorflow')).toBeDefined();
    expect(tf.getKernel(CONV2D_BACKPROP_KERNEL, 'tensorflow')).toBeDefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[unet\] fast paths: native kernels \(conv .*\); tape memory release$/,
    );
  });
});
