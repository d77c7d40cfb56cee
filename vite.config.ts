import { defineConfig } from 'vite';

// Cross-origin isolation: performance.now() gets 5 µs resolution and SharedArrayBuffer
// (the CPU workers' shared memory) becomes available. Both servers send the same headers.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: ISOLATION_HEADERS, port: 5173, strictPort: false },
  preview: { headers: ISOLATION_HEADERS, port: 4173, strictPort: false },
  build: { target: 'es2022', outDir: 'dist', sourcemap: true },
  worker: { format: 'es' },
});
