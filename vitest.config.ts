import { defineConfig } from 'vitest/config';

// Three layers (TESTING.md): unit (pure Node), gpu (Node + Dawn on a real adapter, SwiftShader
// on GPU-less machines) and e2e (the built page in headless Chromium). Files run one at a
// time: SwiftShader and Chromium share two cores with the tests, so timings stay predictable.
export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/build-wasm.ts'],
    // Relaxed SIMD on in Node 20 as the CLIs turn it on (src/cli/relaxed-simd.ts), so tests run the kernels the CLI runs.
    setupFiles: ['./src/cli/relaxed-simd.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'gpu', include: ['test/gpu/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000 } },
    ],
  },
});
