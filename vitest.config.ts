import { defineConfig } from 'vitest/config';

// Four layers (docs/TESTING.md): unit (pure Node), the GPU tests on each of two WebGPU
// implementations, on a real adapter (SwiftShader on GPU-less machines) — gpu-dawn (Node and
// the `webgpu` package) and gpu-wgpu (the same files in Deno, whose navigator.gpu is wgpu) — and
// e2e (the built page in headless Chromium). vitest run under Node has the Node layers; under
// Deno (`npx deno run -A npm:vitest run`) only gpu-wgpu. scripts/test.sh runs both and merges the
// counts. Files run one at a time: SwiftShader and Chromium share two cores with the tests, so
// timings stay predictable.
const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/build-wasm.ts'],
    // Relaxed SIMD on in Node 20 as the CLIs turn it on (src/cli/relaxed-simd.ts), so tests run the kernels the CLI runs.
    setupFiles: ['./src/cli/relaxed-simd.ts'],
    projects: onDeno
      ? // Vitest's thread pool fails at teardown under Deno ("Not implemented: parentPort.removeAllListeners").
        [{ extends: true, test: { name: 'gpu-wgpu', include: ['test/gpu/**/*.test.ts'], pool: 'forks' } }]
      : [
          { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
          { extends: true, test: { name: 'gpu-dawn', include: ['test/gpu/**/*.test.ts'] } },
          // Named here with no files so that merging Deno's report (--merge-reports) finds the layer.
          { extends: true, test: { name: 'gpu-wgpu', include: [] } },
          { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000 } },
        ],
  },
});
