import { defineConfig } from 'vitest/config';

// Shared by every package. Native TensorFlow does not like worker threads, so test files run in
// forked processes; the JSON report feeds the one-line summary of `pnpm test`.
export default defineConfig({
  test: {
    pool: 'forks',
    passWithNoTests: true,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
