/**
 * The peer benchmark's Node entry (cli.ts), bundled for Node 20 (no TypeScript loader there);
 * packages (vite, playwright-core, vitest for the e2e harness's hooks) stay external.
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname, '../..');

export default defineConfig({
  root,
  logLevel: 'error',
  build: {
    ssr: true,
    outDir: resolve(root, 'test-results/peers-cli'),
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      input: { cli: resolve(import.meta.dirname, 'cli.ts') },
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
});
