// Type-checked (tsc, module NodeNext, strict) against the installed @unet/runtime.
import {
  type BackendPreference,
  createOptimizer,
  enableFastPaths,
  type FastPathReport,
  initBackend,
  type OptimizerName,
} from '@unet/runtime';

export async function start(preference: BackendPreference, optimizer: OptimizerName) {
  const backend: string = await initBackend(preference, { log: () => {} });
  const report: FastPathReport = enableFastPaths({ log: () => {} });
  return { backend, fast: report.enabled, optimizer: createOptimizer(optimizer, 1e-3) };
}
