import type { Options } from 'tsup';

// Shared by every tsup.config.ts, which re-exports the config of its kind (a package or an app).
const common: Options = {
  clean: true,
  sourcemap: true,
  target: 'node20',
};

/** A published package: ESM and CommonJS builds of src/index.ts, each with its declarations. */
export const packageConfig: Options = {
  ...common,
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
};

/** An app: its CLI, src/cli.ts, as one executable ES module. */
export const appConfig: Options = {
  ...common,
  entry: ['src/cli.ts'],
  format: ['esm'],
  banner: { js: '#!/usr/bin/env node' },
};
