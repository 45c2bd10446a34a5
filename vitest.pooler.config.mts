import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

// `npm run test:pooler`: the suite that runs through a real PgBouncer in transaction mode,
// started by its global setup. Not part of `npm test` (which needs nothing but Node and npm ci).
// Spread, not mergeConfig: mergeConfig would append to `include` and `globalSetup`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/pooler/**/*.pooler.ts'],
    globalSetup: ['test/pooler/support/global-setup.ts'],
  },
});
