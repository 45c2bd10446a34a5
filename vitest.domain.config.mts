import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.mts';

// The pure rules' tests only (no database, no global setup): what mutation testing runs.
export default mergeConfig(
  base,
  defineConfig({
    test: { include: ['test/domain/**/*.test.ts'], globalSetup: [], reporters: ['default'] },
  }),
);
