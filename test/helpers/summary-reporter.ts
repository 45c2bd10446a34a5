import type { Reporter, TestModule } from 'vitest/node' with { 'resolution-mode': 'import' };

/**
 * Ends the run with one plain line, "N passed, N failed" (", N skipped" when any), that CI
 * tooling reads without knowing vitest's own summary format. A file whose setup failed (say no
 * Chromium could start) leaves its tests skipped, not failed: the line names such files, so a
 * red run never reads as a mere skip.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let brokenFiles = 0;
    for (const module of testModules) {
      if (module.errors().length > 0) brokenFiles++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const broken = brokenFiles ? `, ${brokenFiles} file(s) failed outside their tests (see the errors above)` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${broken}\n`);
  }
}
