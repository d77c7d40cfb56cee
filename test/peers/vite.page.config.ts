/**
 * The peer benchmark page (test/peers/page), built on its own: jax-js and TensorFlow.js
 * are bundled here and never in the app (vite.config.ts builds only index.html).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname, '../..');
const jaxVersion = JSON.parse(readFileSync(resolve(root, 'node_modules/@jax-js/jax/package.json'), 'utf8')).version as string;

export default defineConfig({
  root: resolve(import.meta.dirname, 'page'),
  logLevel: 'warn',
  define: { __JAX_VERSION__: JSON.stringify(jaxVersion) },
  build: {
    target: 'es2022',
    outDir: resolve(root, 'test-results/peers-dist'),
    emptyOutDir: true,
    sourcemap: false,
    // Not minified: TF.js's threaded wasm starts its workers from `factory.toString()`, which
    // breaks when the minifier renames what that source refers to ("e is not defined").
    minify: false,
    // The peers' bundles are large by nature; the warning would only be noise.
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
});
