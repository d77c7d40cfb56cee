/**
 * The WebAssembly SIMD kernels of the CPU trainer (source: src/cpu/assembly/kernels.ts, built by
 * `npm run build:wasm` into the git-ignored wasm-binary.js): compiling them, the layout of the
 * control block they read, and the loop a worker thread runs.
 *
 * All tensors and the control block live in one WebAssembly.Memory: shared (a
 * SharedArrayBuffer) when worker threads run, so no data is copied per step. Addresses passed to
 * the kernels are float indices into it.
 */
import { PLAIN_MEMORY_RELAXED_WASM, PLAIN_MEMORY_WASM, SHARED_MEMORY_RELAXED_WASM, SHARED_MEMORY_WASM } from './wasm-binary.js';

/** What the kernels module exports (each one's contract beside it in src/cpu/assembly/: matmul.ts, update.ts, kernels.ts). */
export interface KernelExports {
  matmul(...args: number[]): void;
  columnSums(src: number, rows: number, N: number, out: number, n0: number, n1: number): void;
  update(...args: number[]): void;
  runJob(ctl: number, index: number, threads: number): void;
  workerLoop(ctl: number, index: number, threads: number, gen: number): number;
}

/**
 * Control block layout in bytes from CTL.AT, as kernels.ts reads it: four int32 words
 * (generation, done count, error flag, task count), task t's kind and int arguments at
 * TASK0 + TASK_BYTES·t, its float64 arguments at FLOAT0 + FLOAT_BYTES·t.
 */
export const CTL = {
  AT: 0,
  GEN: 0,
  DONE: 4,
  ERROR: 8,
  TASKS: 12,
  TASK0: 32,
  TASK_BYTES: 80,
  FLOAT0: 512,
  FLOAT_BYTES: 96,
  MAX_TASKS: 4,
  BYTES: 1024,
} as const;

export const TASK = { MATMUL: 1, COLSUM: 2, UPDATE: 3 } as const;

/** Float index where the tensors may start: after the control block. */
export const HEAP_BASE = CTL.BYTES / 4;

/** The most memory a wasm32 module can address: 65536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES = 65536 * 65536;

/** The kernels' instruction set: plain SIMD, or relaxed SIMD (fused multiply-add in the products). */
export type KernelFlavour = 'plain' | 'relaxed';

const modules = new Map<string, WebAssembly.Module>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const BINARIES = {
  plain: { shared: SHARED_MEMORY_WASM, single: PLAIN_MEMORY_WASM },
  relaxed: { shared: SHARED_MEMORY_RELAXED_WASM, single: PLAIN_MEMORY_RELAXED_WASM },
} as const;

/** The best flavour this engine runs: relaxed where it validates the relaxed build, else plain. */
export function bestFlavour(): KernelFlavour {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(decodeBase64(BINARIES.relaxed.single)) ? 'relaxed' : 'plain';
}

/**
 * The compiled kernels for a shared memory (worker threads) or a plain one (one thread), in the
 * given flavour (default: the best this engine runs). Throws in words where the engine lacks
 * WebAssembly SIMD or threads.
 */
export function kernelModule(shared: boolean, flavour: KernelFlavour = bestFlavour()): WebAssembly.Module {
  const key = `${flavour}/${shared}`;
  const cached = modules.get(key);
  if (cached) return cached;
  if (typeof WebAssembly === 'undefined') throw new Error('the CPU backend needs WebAssembly, which this engine lacks');
  const bytes = decodeBase64(BINARIES[flavour][shared ? 'shared' : 'single']);
  if (!WebAssembly.validate(bytes))
    throw new Error(
      `the CPU backend needs WebAssembly SIMD (128-bit)${flavour === 'relaxed' ? ', relaxed SIMD' : ''} and threads; this engine does not validate its kernels`,
    );
  const module = new WebAssembly.Module(bytes);
  modules.set(key, module);
  return module;
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/**
 * A worker thread's whole program: instantiate the kernels on the shared memory, say ready,
 * then live in workerLoop. A trap (a kernel fault) is caught here: the error flag is set and the
 * worker still counts itself done, so the coordinating thread rethrows instead of waiting, and
 * the worker goes back to sleep for the next job.
 *
 * Self-contained (no imports, no module scope): Node builds its eval'd worker from this
 * function's source text (thread-pool.ts), the page's kernel-worker.ts calls it directly.
 */
export function workerMain(module: WebAssembly.Module, memory: WebAssembly.Memory, ctl: number, index: number, threads: number, ready: () => void): void {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const ci = new Int32Array(memory.buffer);
  const word = ctl / 4;
  ready();
  let gen = 0; // the control block is fresh when a worker starts; reading it here could miss a first job
  for (;;) {
    try {
      k.workerLoop(ctl, index, threads, gen);
      return;
    } catch {
      gen = Atomics.load(ci, word); // the job that trapped: the coordinator bumps GEN only after all are done
      Atomics.store(ci, word + 2, 1);
      if (Atomics.add(ci, word + 1, 1) === threads - 2) Atomics.notify(ci, word + 1);
    }
  }
}
