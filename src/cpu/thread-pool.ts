/**
 * The CPU trainer's threads: `threads − 1` workers plus the calling thread, all running the
 * WebAssembly kernels' runJob on one shared WebAssembly.Memory. A job is written into the control
 * block (wasm-kernels.ts, CTL), the generation counter is bumped and notified, the caller does its
 * own share, then blocks in Atomics.wait until the others count themselves done.
 *
 * The caller must be allowed to block: Node's main thread or a worker. A page's main thread may
 * not (and must stay responsive), so the page runs the whole trainer in a worker
 * (cpu-host-worker.ts); this pool refuses to start more than one thread on a window.
 *
 * Loading the worker script:
 * - Node (vitest from TypeScript sources, and the Vite-built CLI bundle): `new Worker(source,
 *   { eval: true })` with the source made from workerMain's own text, so no file has to be found
 *   next to a bundle.
 * - Browser: `new Worker(new URL('./kernel-worker.ts', import.meta.url), { type: 'module' })`,
 *   the form Vite recognises and bundles as a worker chunk.
 */
import { CTL, instantiateKernels, workerMain } from './wasm-kernels';
import type { KernelExports } from './wasm-kernels';

/** How long the wait may go without any worker finishing its share before it gives up (a job is µs to s). */
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

/** A Node built-in's specifier, built at run time so the browser bundle does not try to resolve it. */
function nodeModule(name: string): string {
  return ['node', name].join(':');
}

/** Whether this thread may block in Atomics.wait: Node's main thread and any worker can, a window cannot. */
export function canBlockHere(): boolean {
  return IS_NODE || typeof (globalThis as { window?: unknown }).window === 'undefined';
}

interface AnyWorker {
  terminate(): unknown;
}

export class ThreadPool {
  private readonly ci: Int32Array;
  private readonly cf: Float64Array;
  private workers: AnyWorker[] = [];

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    readonly kernels: KernelExports,
    readonly threads: number,
  ) {
    this.ci = new Int32Array(memory.buffer, CTL.AT, CTL.BYTES / 4);
    this.cf = new Float64Array(memory.buffer, CTL.AT + CTL.FLOAT0, (CTL.BYTES - CTL.FLOAT0) / 8);
  }

  /** A pool of `threads` over `memory` (shared when threads > 1); resolves once every worker runs. */
  static async create(memory: WebAssembly.Memory, module: WebAssembly.Module, threads: number): Promise<ThreadPool> {
    if (threads > 1 && !canBlockHere())
      throw new Error(
        'CPU worker threads need a coordinating thread that may block: run the trainer in a worker (createCpuTrainerInWorker), not on the page',
      );
    const pool = new ThreadPool(memory, module, instantiateKernels(module, memory), threads);
    try {
      const started = [];
      for (let index = 1; index < threads; index++) started.push(pool.startWorker(index));
      await Promise.all(started);
    } catch (e) {
      pool.dispose();
      throw e;
    }
    return pool;
  }

  private async startWorker(index: number): Promise<void> {
    const init = { module: this.module, memory: this.memory, ctl: CTL.AT, index, threads: this.threads };
    if (IS_NODE) {
      const { Worker } = (await import(/* @vite-ignore */ nodeModule('worker_threads'))) as typeof import('node:worker_threads');
      const worker = new Worker(nodeWorkerSource(), { eval: true, workerData: init, name: `cpu-${index}` });
      this.workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`CPU worker ${index} exited (code ${code}) before starting`)));
      });
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      // A worker sleeping in Atomics.wait must not keep a CLI alive if dispose() is forgotten.
      worker.unref();
    } else {
      const worker = new Worker(new URL('./kernel-worker.ts', import.meta.url), { type: 'module', name: `cpu-${index}` });
      this.workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.onmessage = () => resolve();
        worker.onerror = (e) => reject(new Error(`CPU worker ${index} failed to start: ${e.message}`));
        worker.postMessage(init);
      });
      worker.onmessage = null;
      worker.onerror = null;
    }
  }

  /** Writes a task into slot `t` of the control block. */
  task(t: number, kind: number, ints: readonly number[], floats?: readonly number[]): void {
    const o = (CTL.TASK0 + CTL.TASK_BYTES * t) / 4;
    this.ci[o] = kind;
    for (let i = 0; i < ints.length; i++) this.ci[o + 1 + i] = ints[i];
    const f = (CTL.FLOAT_BYTES * t) / 8;
    if (floats) for (let i = 0; i < floats.length; i++) this.cf[f + i] = floats[i];
  }

  /** Runs the `tasks` written so far on every thread and returns when all are done. */
  run(tasks: number): void {
    const ci = this.ci;
    ci[CTL.TASKS / 4] = tasks;
    if (this.threads === 1) {
      this.kernels.runJob(CTL.AT, 0, 1);
      return;
    }
    const DONE = CTL.DONE / 4;
    Atomics.store(ci, DONE, 0);
    Atomics.store(ci, CTL.ERROR / 4, 0);
    Atomics.add(ci, CTL.GEN / 4, 1);
    Atomics.notify(ci, CTL.GEN / 4);
    this.kernels.runJob(CTL.AT, 0, this.threads);
    const others = this.threads - 1;
    // A worker that died would leave us waiting for ever: give up after a long silence.
    let silentMs = 0;
    for (;;) {
      const done = Atomics.load(ci, DONE);
      if (done === others) break;
      if (Atomics.wait(ci, DONE, done, WORKER_WAIT_SLICE_MS) === 'timed-out' && (silentMs += WORKER_WAIT_SLICE_MS) >= WORKER_SILENCE_MS)
        throw new Error(
          `a CPU worker has not answered for ${WORKER_SILENCE_MS / 1000} s; dispose this trainer and create a new one (gen ${Atomics.load(ci, 0)} done ${Atomics.load(ci, DONE)} tasks ${ci[3]})`,
        );
      else if (Atomics.load(ci, DONE) !== done) silentMs = 0;
    }
    if (Atomics.load(ci, CTL.ERROR / 4) !== 0) throw new Error('a CPU worker failed while running a job');
  }

  dispose(): void {
    if (this.workers.length > 0) {
      // Tell sleeping workers to return, then terminate for good measure.
      this.ci[CTL.TASKS / 4] = -1;
      Atomics.add(this.ci, CTL.GEN / 4, 1);
      Atomics.notify(this.ci, CTL.GEN / 4);
    }
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

let cachedSource: string | undefined;

/** The Node worker's program: workerMain's own source, then the start-up. */
function nodeWorkerSource(): string {
  cachedSource ??= [
    `const workerMain = ${workerMain.toString()};`,
    `const { parentPort, workerData: d } = require('node:worker_threads');`,
    `workerMain(d.module, d.memory, d.ctl, d.index, d.threads, () => parentPort.postMessage('ready'));`,
  ].join('\n');
  return cachedSource;
}
