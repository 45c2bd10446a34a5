// Mutation testing of the pure rules (src/domain) with the domain tests: `npm run test:mutation`.
// Not part of `npm test` (it runs the domain suite once per mutant). The report goes to
// reports/mutation/ (ignored by git); the score is in the README.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.domain.config.mts' },
  mutate: ['src/domain/**/*.ts', '!src/domain/**/index.ts', '!src/domain/**/types.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constant tables: the estimator's keyword lists and default
  // weights) reload every test file per mutant: 389 of them took 63% of the estimated time (3.5 h
  // on 2 cores). Reported as ignored; the README's score is over the rest.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
