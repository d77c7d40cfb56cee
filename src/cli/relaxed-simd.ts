/**
 * Node 20's V8 (11.3) has relaxed SIMD behind a flag; from V8 11.4 (Node 22, Chrome 114) it is on
 * by default. The CLIs turn the flag on before any kernel is compiled, so the CPU backend gets
 * the fused multiply-add kernels in Node 20 as the page does in Chrome (wasm-kernels.ts picks the
 * flavour by validating). Imported first by the CLI entry points; harmless where already on.
 */
import { PLAIN_MEMORY_RELAXED_WASM } from '../cpu/wasm-binary.js';

export function enableRelaxedSimd(): void {
  const bytes = Uint8Array.from(atob(PLAIN_MEMORY_RELAXED_WASM), (c) => c.charCodeAt(0));
  if (WebAssembly.validate(bytes)) return;
  // Only V8 11.x knows the staging flag under this name; elsewhere it would print an error.
  if (process.versions.v8.startsWith('11.')) process.getBuiltinModule('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
}

enableRelaxedSimd();
