/**
 * Runs async jobs one at a time, in call order: a job starts when the one before it settled
 * (resolved or rejected). The GPU trainer queues `train` calls on one, so overlapping calls
 * each run all their steps, in order, and each gets its own timing (docs/DESIGN.md, Trainers).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Pops the validation error scope pushed before a batch of submits; rejects naming `what`
 * when WebGPU refused any of them (a refused submit runs nothing and Dawn only logs it).
 */
export async function rejectedSubmits(device: GPUDevice, what: string): Promise<void> {
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU rejected ${what}: ${error.message}`);
}
