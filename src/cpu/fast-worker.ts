/**
 * The browser's fast CPU worker (a module worker Vite bundles from
 * `new URL('./fast-worker.ts', import.meta.url)` in fast-pool.ts). It says it is ready,
 * takes the shared heap and control block in its first message, then lives in workerLoop,
 * blocking in Atomics.wait between jobs (allowed in a worker, not on the page's main thread).
 * Node does not use this file: it builds the same loop from the kernels' source text.
 */
import { workerLoop } from './fast-kernels';

interface Init {
  heap: SharedArrayBuffer;
  ctl: SharedArrayBuffer;
  index: number;
  threads: number;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Init>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  scope.onmessage = null;
  const { heap, ctl, index, threads } = e.data;
  workerLoop(heap, ctl, index, threads);
};
scope.postMessage('ready');
