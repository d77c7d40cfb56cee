/**
 * Vitest global setup: builds the CPU's WebAssembly kernels (scripts/build-wasm.mjs; a no-op when
 * they are newer than their source), so `npx vitest run file` works from a fresh clone as
 * `npm test` does.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  // Under Deno (the gpu-wgpu layer) process.execPath is deno, which would run the script without
  // its permissions: the build is a Node script either way.
  const node = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' ? 'node' : process.execPath;
  execFileSync(node, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });
}
