/**
 * The CPU trainer as the page uses it: a FastCpuTrainer living in a module worker
 * (cpu-host-worker.ts), driven through messages, so the page's main thread only waits (no long
 * tasks) however long a step takes. Cross-origin isolated, the trainer's threads are that worker
 * plus nested kernel workers on one shared memory; otherwise it runs on one worker thread
 * (`threads` says which). An abort signal ends a call at once, even one stuck inside a step:
 * the worker is terminated, the call rejects with the reason, and the trainer is disposed.
 */
import type { MlpConfig, Variant } from '../model/config';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import type { Losses, Trainer, TrainTiming } from '../model/trainer';
import type { HostAnswer, HostCall } from './cpu-host-worker';
import type { FastCpuOptions } from './fast';

export interface RemoteCpuOptions extends FastCpuOptions {
  /** Aborting ends any call in flight at once (the worker is terminated) and disposes the trainer. */
  signal?: AbortSignal;
}

export class RemoteCpuTrainer implements Trainer {
  readonly backend = 'cpu' as const;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stepCount = 0;
  private ended: string | null = null;
  private readonly onAbort = () => this.end(`cancelled: the CPU worker was stopped${this.pending.size ? ' in the middle of a call' : ''}`);

  private constructor(
    private readonly worker: Worker,
    readonly variant: Variant,
    private readonly signal: AbortSignal | undefined,
    public config: MlpConfig,
    public threads = 1,
    public engine = '',
  ) {
    worker.onmessage = (e: MessageEvent<HostAnswer>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if ('error' in e.data) p.reject(new Error(e.data.error));
      else p.resolve(e.data.result);
    };
    worker.onerror = (e) => this.end(`the CPU worker failed: ${e.message}`);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  static async create(config: MlpConfig, variant: Variant, data: Dataset, options: RemoteCpuOptions = {}): Promise<RemoteCpuTrainer> {
    const { signal, ...fastOptions } = options;
    const worker = new Worker(new URL('./cpu-host-worker.ts', import.meta.url), { type: 'module', name: 'cpu-host' });
    const t = new RemoteCpuTrainer(worker, variant, signal, config);
    if (signal?.aborted) t.onAbort();
    let made: { threads: number; engine: string; config: MlpConfig };
    try {
      made = (await t.call('create', [config, variant, data, fastOptions])) as typeof made;
    } catch (e) {
      // A refused configuration or a failed start must not leave the worker running.
      t.end(e instanceof Error ? e.message : String(e));
      throw e;
    }
    t.threads = made.threads;
    t.engine = made.engine;
    t.config = made.config;
    return t;
  }

  get step(): number {
    return this.stepCount;
  }

  private call(method: HostCall['method'], args: unknown[] = []): Promise<unknown> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args } satisfies HostCall);
    });
  }

  /** Terminates the worker (and its nested kernel workers) and rejects every call in flight with `why`. */
  private end(why: string): void {
    if (this.ended) return;
    this.ended = why;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
  }

  async train(steps: number): Promise<TrainTiming> {
    await this.call('train', [steps]);
    this.stepCount += steps;
    return {};
  }

  async setParameters(p: MlpParameters): Promise<void> {
    await this.call('setParameters', [p]);
    this.stepCount = 0;
  }

  getParameters(): Promise<MlpParameters> {
    return this.call('getParameters') as Promise<MlpParameters>;
  }

  norms(): Promise<number[]> {
    return this.call('norms') as Promise<number[]>;
  }

  losses(): Promise<Losses> {
    return this.call('losses') as Promise<Losses>;
  }

  dispose(): void {
    this.end('This CPU trainer was disposed; create a new one.');
  }
}

/** The CPU trainer in a module worker (the page's way: the main thread never computes). */
export function createCpuTrainerInWorker(config: MlpConfig, variant: Variant, data: Dataset, options?: RemoteCpuOptions): Promise<RemoteCpuTrainer> {
  return RemoteCpuTrainer.create(config, variant, data, options);
}
