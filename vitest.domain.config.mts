import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The pure rules' tests only (no database, no global setup): what mutation testing runs
// (stryker.config.mjs). Not merged with vitest.config.mts: merging would add its includes.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: { include: ['test/domain/**/*.test.ts'], pool: 'forks', testTimeout: 60_000 },
});
