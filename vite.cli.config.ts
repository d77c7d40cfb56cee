import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

// The CLI is bundled by Vite so that it imports shaders exactly as the page does
// (`?raw`); the native `webgpu` package and Node built-ins stay external.
export default defineConfig({
  build: {
    ssr: 'src/cli/bench.ts',
    outDir: 'dist-cli',
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      external: ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
  ssr: { noExternal: true, external: ['webgpu'] },
});
