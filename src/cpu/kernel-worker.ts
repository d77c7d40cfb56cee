/**
 * The page's CPU kernel worker (a module worker Vite bundles from
 * `new URL('./kernel-worker.ts', import.meta.url)` in thread-pool.ts). Its first message brings
 * the compiled kernels and the shared memory; it answers 'ready' and lives in workerMain,
 * blocking in Atomics.wait between jobs. Node runs the same workerMain from its source text.
 */
import { workerMain } from './wasm-kernels';

interface Init {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number;
  index: number;
  threads: number;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Init>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  scope.onmessage = null;
  const { module, memory, ctl, index, threads } = e.data;
  workerMain(module, memory, ctl, index, threads, () => scope.postMessage('ready'));
};
