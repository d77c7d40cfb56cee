/**
 * Vitest global setup: builds the CPU's WebAssembly kernels (scripts/build-wasm.mjs; a no-op when
 * they are newer than their source), so `npx vitest run file` works from a fresh clone as
 * `npm test` does.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });
}
