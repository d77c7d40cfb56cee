/**
 * The page's CPU trainer host: a module worker that owns one FastCpuTrainer and answers the
 * calls of its proxy (remote-trainer.ts), so no CPU compute runs on the page's main thread. Here
 * the trainer's coordinating thread may block in Atomics.wait, and its other threads are nested
 * kernel workers (thread-pool.ts). Calls are answered in order; `train` runs to completion
 * before the next message is read, so a stuck call is ended by terminating this worker.
 */
import type { FastCpuTrainer } from './fast';
import { createFastCpuTrainer } from './fast';

export interface HostCall {
  id: number;
  method: 'create' | 'train' | 'setParameters' | 'getParameters' | 'norms' | 'losses' | 'dispose';
  args: unknown[];
}

export type HostAnswer = { id: number; result: unknown } | { id: number; error: string };

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<HostCall>) => void) | null;
  postMessage(message: HostAnswer): void;
};

let trainer: FastCpuTrainer | undefined;

async function answer(call: HostCall): Promise<unknown> {
  if (call.method === 'create') {
    const [config, variant, data, options] = call.args as Parameters<typeof createFastCpuTrainer>;
    trainer = await createFastCpuTrainer(config, variant, data, options);
    return { threads: trainer.threads, engine: trainer.engine, config: trainer.config };
  }
  if (!trainer) throw new Error('the CPU worker has no trainer');
  if (call.method === 'dispose') return trainer.dispose();
  const method = trainer[call.method] as (...args: unknown[]) => Promise<unknown>;
  return method.apply(trainer, call.args);
}

scope.onmessage = (e) => {
  const call = e.data;
  answer(call).then(
    (result) => scope.postMessage({ id: call.id, result }),
    (err: unknown) => scope.postMessage({ id: call.id, error: err instanceof Error ? err.message : String(err) }),
  );
};
