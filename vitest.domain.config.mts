import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The pure rules' tests only (no database, no global setup): what mutation testing runs
// (stryker.config.mjs). Not merged with vitest.config.mts: merging would add its includes.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/domain/**/*.test.ts'],
    // The 100,000-task "performance sanity" cases run once per mutant under Stryker's coverage
    // instrumentation, minutes each; `npm test` runs them, mutation testing does not.
    testNamePattern: '^(?!.*performance sanity)',
    pool: 'forks',
    testTimeout: 60_000,
  },
});
