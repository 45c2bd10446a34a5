import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// SWC (not esbuild) compiles the tests so that decorator metadata is emitted for
// type-graphql and MikroORM.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // graphql has no "exports" map: Node's loader picks its CommonJS build for the libraries,
    // vite would pick the ESM one for our files, and two graphql copies refuse to mix.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Servers under test run with production settings (vitest would set NODE_ENV=test, which
    // changes library defaults such as Apollo's stack traces in errors); test/graphql/
    // production-settings.test.ts checks it.
    env: { NODE_ENV: 'production' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
