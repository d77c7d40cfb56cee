// Types of the module scripts/build-wasm.mjs generates (wasm-binary.js, git-ignored): the CPU
// kernels of src/cpu/assembly/kernels.ts as base64, for a shared and for a plain memory, with
// plain SIMD and with relaxed SIMD (fused multiply-add).
export declare const SHARED_MEMORY_WASM: string;
export declare const PLAIN_MEMORY_WASM: string;
export declare const SHARED_MEMORY_RELAXED_WASM: string;
export declare const PLAIN_MEMORY_RELAXED_WASM: string;
