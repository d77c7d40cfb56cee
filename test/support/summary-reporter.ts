/**
 * Prints, after vitest's own summary, the test count of each layer (unit, gpu-dawn, gpu-wgpu,
 * e2e) and one plain closing line "tests: N passed, N failed, N skipped" that CI and people can
 * read at a glance. scripts/test.sh runs it over the merged reports of the Node and Deno runs.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  /** The layers this run was meant to cover: every project when merging reports, else those selected. */
  private requiredLayers: string[] = [];

  onInit(vitest: Vitest): void {
    // A project with no include pattern (gpu-wgpu under Node) exists only to receive Deno's merged report.
    this.requiredLayers = vitest.projects.filter((p) => vitest.config.mergeReports || p.config.include.length > 0).map((p) => p.name);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const byLayer = new Map<string, { passed: number; failed: number; skipped: number }>();
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      const layer = module.project.name || 'default';
      const counts = byLayer.get(layer) ?? { passed: 0, failed: 0, skipped: 0 };
      byLayer.set(layer, counts);
      // A module that failed to load has no tests but must count as a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) {
        counts.failed++;
        failed++;
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') (counts.passed++, passed++);
        else if (state === 'failed') (counts.failed++, failed++);
        else (counts.skipped++, skipped++);
      }
    }
    // Layers in the config's order (unit, gpu-dawn, gpu-wgpu, e2e), whatever order files finished in.
    const order = (layer: string) => this.requiredLayers.indexOf(layer) + 1 || Infinity;
    const lines = [...byLayer]
      .sort(([a], [b]) => order(a) - order(b))
      .map(([layer, c]) => `  ${layer.padEnd(8)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    // In CI every layer must have run for real: a layer with no passing test (no adapter, no
    // browser, a file that failed to load) fails the run rather than passing silently.
    const missing = this.requiredLayers.filter((layer) => !(byLayer.get(layer)?.passed ?? 0));
    if (process.env.CI && missing.length > 0) {
      failed += missing.length;
      lines.push(`  FAILED: no passing test in layer(s) ${missing.join(', ')}; CI requires every layer to run`);
      process.exitCode = 1;
    }
    process.stdout.write(`\nTests by layer:\n${lines.join('\n')}\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
