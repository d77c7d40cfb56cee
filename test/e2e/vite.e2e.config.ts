/**
 * The production build plus the component-test fixture page, for the e2e layer only.
 * Same headers, target and plugins as vite.config.ts; the fixture is one more HTML entry,
 * so component tests run against modules bundled exactly like the app's.
 */
import { resolve } from 'node:path';
import { defineConfig, mergeConfig } from 'vite';
import base from '../../vite.config';

const root = resolve(import.meta.dirname, '../..');

export default mergeConfig(
  base,
  defineConfig({
    root,
    logLevel: 'warn',
    build: {
      outDir: resolve(root, 'test-results/e2e-dist'),
      emptyOutDir: true,
      sourcemap: false,
      rollupOptions: {
        input: {
          main: resolve(root, 'index.html'),
          fixture: resolve(root, 'test/e2e/fixtures/components.html'),
        },
      },
    },
  }),
);
