/**
 * The thread pool of the fast CPU trainer: `threads − 1` workers plus the calling thread,
 * all running `runJob` (fast-kernels.ts) on one shared heap. A job is written into the
 * control block, the generation counter is bumped and notified, the caller does its own
 * share, then waits for the others to count themselves done.
 *
 * Waiting: Node's main thread may block in Atomics.wait; a browser page's main thread may
 * not, so there the wait is Atomics.waitAsync (a promise), falling back to spinning where
 * a browser lacks it. `run()` therefore returns a promise only when it has to.
 *
 * Loading the worker script:
 * - Node (vitest from TypeScript sources, and the Vite-built CLI bundle): the worker is
 *   `new Worker(source, { eval: true })` with the source made from the kernel functions'
 *   own text (WORKER_FUNCTIONS). No file has to be found next to the bundle, and the text is
 *   whatever the bundler produced for the main thread, so both always agree.
 * - Browser: `new Worker(new URL('./fast-worker.ts', import.meta.url), { type: 'module' })`,
 *   the form Vite recognises and bundles as a worker chunk.
 */
import { WORKER_FUNCTIONS, runJob } from './fast-kernels';

/** Control block layout; runJob and workerLoop in fast-kernels.ts read the same literals. */
export const CTL = {
  GEN: 0,
  DONE: 1,
  ERROR: 2,
  TASKS: 3,
  TASK0: 8,
  TASK_INTS: 20,
  FLOAT_BYTE: 512,
  TASK_FLOATS: 10,
  MAX_TASKS: 4,
  BYTES: 1024,
} as const;

export const TASK = { MATMUL: 1, COLSUM: 2, UPDATE: 3 } as const;

/** How long the blocking wait may go without any worker finishing its share (a job is ms to s). */
const WORKER_SILENCE_MS = 60_000;
const WORKER_WAIT_SLICE_MS = 1_000;

const IS_NODE = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Threads the platform reports: os.availableParallelism() on Node, navigator.hardwareConcurrency in a browser. */
export async function platformThreads(): Promise<number> {
  if (IS_NODE) {
    const os = (await import(/* @vite-ignore */ nodeModule('os'))) as typeof import('node:os');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}

/**
 * A Node built-in's specifier, built at run time so the browser bundle does not try to
 * resolve it (the page never takes the Node branch).
 */
function nodeModule(name: string): string {
  return ['node', name].join(':');
}

interface AnyWorker {
  terminate(): unknown;
}

export class ThreadPool {
  readonly ci: Int32Array;
  readonly cf: Float64Array;
  private readonly heapF32: Float32Array;
  private workers: AnyWorker[] = [];
  /** Whether this thread may block in Atomics.wait (then `run` never returns a promise). */
  readonly canBlock: boolean;

  private constructor(
    heap: ArrayBufferLike,
    readonly threads: number,
  ) {
    this.heapF32 = new Float32Array(heap);
    const ctl = threads > 1 ? new SharedArrayBuffer(CTL.BYTES) : new ArrayBuffer(CTL.BYTES);
    this.ci = new Int32Array(ctl);
    this.cf = new Float64Array(ctl, CTL.FLOAT_BYTE);
    // Window (page main thread) cannot Atomics.wait; Node's main thread and any worker can.
    this.canBlock = IS_NODE || typeof (globalThis as { window?: unknown }).window === 'undefined';
  }

  /** A pool over `heap` (a SharedArrayBuffer when threads > 1); resolves once every worker is running. */
  static async create(heap: ArrayBufferLike, threads: number): Promise<ThreadPool> {
    const pool = new ThreadPool(heap, threads);
    if (threads > 1) {
      if (typeof SharedArrayBuffer === 'undefined' || !(heap instanceof SharedArrayBuffer))
        throw new Error('fast CPU workers need SharedArrayBuffer (serve the page cross-origin isolated: COOP/COEP headers)');
      try {
        const started = [];
        for (let index = 1; index < threads; index++) started.push(pool.startWorker(heap, index));
        await Promise.all(started);
      } catch (e) {
        pool.dispose();
        throw e;
      }
    }
    return pool;
  }

  private async startWorker(heap: SharedArrayBuffer, index: number): Promise<void> {
    const init = { heap, ctl: this.ci.buffer, index, threads: this.threads };
    if (IS_NODE) {
      const { Worker } = (await import(/* @vite-ignore */ nodeModule('worker_threads'))) as typeof import('node:worker_threads');
      const worker = new Worker(nodeWorkerSource(), { eval: true, workerData: init, name: `fast-cpu-${index}` });
      this.workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`fast CPU worker ${index} exited (code ${code}) before starting`)));
      });
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      // A worker sleeping in Atomics.wait must not keep a CLI alive if dispose() is forgotten.
      worker.unref();
    } else {
      const worker = new Worker(new URL('./fast-worker.ts', import.meta.url), { type: 'module', name: `fast-cpu-${index}` });
      this.workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.onmessage = () => resolve();
        worker.onerror = (e) => reject(new Error(`fast CPU worker ${index} failed to start: ${e.message}`));
      });
      worker.onmessage = null;
      worker.onerror = null;
      worker.postMessage(init);
    }
  }

  /** Writes a task into slot `t` of the control block. */
  task(t: number, kind: number, ints: readonly number[], floats?: readonly number[]): void {
    const o = CTL.TASK0 + CTL.TASK_INTS * t;
    this.ci[o] = kind;
    for (let i = 0; i < ints.length; i++) this.ci[o + 1 + i] = ints[i];
    if (floats) for (let i = 0; i < floats.length; i++) this.cf[CTL.TASK_FLOATS * t + i] = floats[i];
  }

  /** Runs the `tasks` written so far on every thread; a promise only where the wait cannot block. */
  run(tasks: number): Promise<void> | undefined {
    const ci = this.ci;
    ci[CTL.TASKS] = tasks;
    if (this.threads === 1) {
      runJob(this.heapF32, ci, this.cf, 0, 1);
      return undefined;
    }
    Atomics.store(ci, CTL.DONE, 0);
    Atomics.store(ci, CTL.ERROR, 0);
    Atomics.add(ci, CTL.GEN, 1);
    Atomics.notify(ci, CTL.GEN);
    runJob(this.heapF32, ci, this.cf, 0, this.threads);
    const others = this.threads - 1;
    if (this.canBlock) {
      // A worker that died would leave us waiting for ever: give up after a long silence.
      let silentMs = 0;
      for (;;) {
        const done = Atomics.load(ci, CTL.DONE);
        if (done === others) break;
        if (Atomics.wait(ci, CTL.DONE, done, WORKER_WAIT_SLICE_MS) === 'timed-out' && (silentMs += WORKER_WAIT_SLICE_MS) >= WORKER_SILENCE_MS)
          throw new Error(`a fast CPU worker has not answered for ${WORKER_SILENCE_MS / 1000} s; dispose this trainer and create a new one`);
        else if (Atomics.load(ci, CTL.DONE) !== done) silentMs = 0;
      }
      this.checkError();
      return undefined;
    }
    return this.waitAsync(others);
  }

  private async waitAsync(others: number): Promise<void> {
    const ci = this.ci;
    const waitAsync = (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: unknown } }).waitAsync;
    // Spin first: the workers' share takes about as long as ours, so they are usually
    // done within microseconds, and an Atomics.waitAsync wake-up goes through the event
    // loop (a task), far slower than that. About 0.2 ms of spinning, then yield.
    const spinUntil = performance.now() + 0.2;
    while (Atomics.load(ci, CTL.DONE) !== others && performance.now() < spinUntil);
    for (;;) {
      const done = Atomics.load(ci, CTL.DONE);
      if (done === others) break;
      if (waitAsync) {
        const r = waitAsync(ci, CTL.DONE, done);
        if (r.async) await r.value;
      }
      // Without waitAsync: spin on the load (the workers' share is about as long as ours).
    }
    this.checkError();
  }

  private checkError(): void {
    if (Atomics.load(this.ci, CTL.ERROR) !== 0) throw new Error('a fast CPU worker failed while running a job');
  }

  dispose(): void {
    if (this.threads > 1 && this.workers.length > 0) {
      // Tell sleeping workers to return, then terminate for good measure.
      this.ci[CTL.TASKS] = -1;
      Atomics.add(this.ci, CTL.GEN, 1);
      Atomics.notify(this.ci, CTL.GEN);
    }
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

let cachedSource: string | undefined;

/** The Node worker's program: the kernel functions' own source, then the start-up. */
function nodeWorkerSource(): string {
  cachedSource ??= [
    ...WORKER_FUNCTIONS.map((f) => `const ${f.name} = ${f.toString()};`),
    `const { parentPort, workerData } = require('node:worker_threads');`,
    `parentPort.postMessage('ready');`,
    `${WORKER_FUNCTIONS[WORKER_FUNCTIONS.length - 1].name}(workerData.heap, workerData.ctl, workerData.index, workerData.threads);`,
  ].join('\n');
  return cachedSource;
}
