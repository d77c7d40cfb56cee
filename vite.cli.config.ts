import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

// The terminal entry points, bundled by Vite so that they import shaders exactly as the page
// does (`?raw`); the native `webgpu` package and Node built-ins stay external.
export default defineConfig({
  build: {
    ssr: true,
    outDir: 'dist-cli',
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        bench: 'src/cli/bench.ts',
        'kernel-bench': 'src/cli/kernel-bench.ts',
        'cpu-bench': 'src/cli/cpu-bench.ts',
        'grid-bench': 'src/cli/grid-bench.ts',
      },
      external: ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
  ssr: { noExternal: true, external: ['webgpu'] },
});
