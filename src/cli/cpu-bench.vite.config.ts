import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

// The CPU benchmark, bundled like the main CLI (vite.cli.config.ts) into dist-cli/ as an SSR
// bundle, without emptying the folder (the main CLI's bench.js lives there too).
export default defineConfig({
  build: {
    ssr: 'src/cli/cpu-bench.ts',
    outDir: 'dist-cli',
    target: 'node20',
    emptyOutDir: false,
    rollupOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
  ssr: { noExternal: true },
});
