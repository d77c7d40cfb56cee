/**
 * What the single-model GPU trainer and the grid trainer share: the run's buffers and passes (one
 * model, or a grid's G models along a dispatch dimension), the training loop (one command encoder
 * and one submit per STEPS_PER_SUBMIT steps, one uniform slot per step, device time by
 * timestamp-query), the parameter upload, serialised readbacks through one staging buffer, and the
 * lost-device and dispose checks. Nothing is allocated or read back inside `train`.
 */
import type { MlpConfig, Variant } from '../model/config';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import type { TrainTiming } from '../model/trainer';
import { checkStepCount } from '../model/trainer';
import type { Hyperparameters } from '../model/update-rules';
import { hyperparameters, stepHyperparameters } from '../model/update-rules';
import { trainBatchCount } from '../model/config';
import type { MatmulChoice } from './kernels';
import { Kernels } from './kernels';
import { STEP_SLOT_STRIDE, STEPS_PER_SUBMIT, packStepParams } from './passes/step-params';
import type { RunBuffers } from './run-buffers';
import { allocateRunBuffers } from './run-buffers';
import { SerialQueue, rejectedSubmits } from './serial-queue';
import { StepPasses } from './step-passes';

export interface GpuTrainerOptions {
  /** Matmul kernel for every product, or 'auto' (default): per product by shape (see pickMatmul). */
  matmul?: MatmulChoice;
  /** Measure device time with timestamp-query when the device has the feature (default true). */
  timestamps?: boolean;
  /** Bound on the run's total GPU memory, checked before allocating (default: none beyond the limits). */
  memoryBudgetBytes?: number;
}

/** Error for every call after the device is gone. */
function lostError(info: GPUDeviceLostInfo): Error {
  return new Error(
    `The GPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}). ` + 'Acquire a new device and create a new trainer.',
  );
}

export abstract class GpuRun {
  readonly backend = 'gpu' as const;
  protected readonly device: GPUDevice;
  /** Every buffer of the run, from the memory plan (src/gpu/run-buffers.ts). */
  protected readonly run: RunBuffers;
  protected readonly passes: StepPasses;
  /** Host copy of the step slots, written once per submit (preallocated: no garbage per step). */
  private readonly stepSlots: Float32Array;
  /** Step t's η_t, α_t and the rest, rewritten for each slot (preallocated too). */
  private readonly slotHyperparameters: Hyperparameters;
  /** Buffers made beside the plan (the timestamp query's), destroyed with it. */
  private readonly extra: GPUBuffer[] = [];
  private readonly timing: { querySet: GPUQuerySet; resolve: GPUBuffer; readback: GPUBuffer } | null;
  protected stepCount = 0;
  private lost: GPUDeviceLostInfo | null = null;
  private disposed = false;
  /** Serialises readbacks: the staging buffers can be mapped by one caller at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `config` is validated by the caller. `stepConfig` gives every step's uniform slot its η_t, α_t
   * and the rest through its schedule (the run's config; a grid's has η = λ = 1, so its slots hold
   * the schedule's factors, which each model multiplies by its own η, λ, α). `models`: a grid of that many.
   */
  protected constructor(
    device: GPUDevice,
    readonly config: MlpConfig,
    readonly variant: Variant,
    data: Dataset,
    options: GpuTrainerOptions,
    private readonly label: string,
    private readonly stepConfig: MlpConfig,
    models?: number,
  ) {
    this.device = device;
    device.lost.then((info) => {
      this.lost = info;
    });
    // On a throw the constructor's caller gets no trainer to dispose: free what was made first.
    const made: GPUBuffer[] = [];
    try {
      this.run = allocateRunBuffers(device, config, data, made, models);
      this.passes = new StepPasses(Kernels.of(device), config, variant, this.run, options.matmul ?? 'auto');
    } catch (e) {
      for (const b of made) b.destroy();
      throw e;
    }
    this.stepSlots = new Float32Array((STEPS_PER_SUBMIT * STEP_SLOT_STRIDE) / 4);
    this.slotHyperparameters = hyperparameters(stepConfig);

    this.timing =
      options.timestamps !== false && device.features.has('timestamp-query')
        ? {
            querySet: device.createQuerySet({ label: `${label}.timestamps`, type: 'timestamp', count: 2 }),
            resolve: this.timestampBuffer('resolve', GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC),
            readback: this.timestampBuffer('readback', GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
          }
        : null;
  }

  private timestampBuffer(what: string, usage: number): GPUBuffer {
    const b = this.device.createBuffer({ label: `${this.label}.timestamps.${what}`, size: 16, usage });
    this.extra.push(b);
    return b;
  }

  get step(): number {
    return this.stepCount;
  }

  /** Throws the reason this trainer can no longer be used, if any. */
  protected alive(): void {
    if (this.lost) throw lostError(this.lost);
    if (this.disposed) throw new Error('This GPU trainer was disposed; create a new one.');
  }

  /** Waits for a GPU promise, or rejects at once if the device is lost meanwhile (never hangs). */
  protected async guard<T>(work: Promise<T>): Promise<T> {
    const lost = this.device.lost.then((info) => {
      throw lostError(info);
    });
    const result = await Promise.race([work, lost]);
    this.alive();
    return result;
  }

  /** Runs readbacks one at a time (they share the staging buffers). */
  protected serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Every model starts from `p` (a grid's copies in one write per buffer), optimizer state zero,
   * the training loss NaN until a step, the step count 0 (docs/RULES.md).
   */
  protected writeParameters(p: MlpParameters): void {
    const q = this.device.queue;
    const encoder = this.device.createCommandEncoder({ label: `${this.label}.setParameters` });
    const grid = this.run.models;
    const upload = (buffer: GPUBuffer, values: Float64Array) => {
      if (!grid) return q.writeBuffer(buffer, 0, Float32Array.from(values));
      const stride = grid.stride(buffer);
      const copies = new Float32Array(grid.count * stride);
      for (let g = 0; g < grid.count; g++) copies.set(values, g * stride);
      q.writeBuffer(buffer, 0, copies);
    };
    this.run.layers.forEach((layer, l) => {
      upload(layer.weights, p.weights[l]);
      upload(layer.biases, p.biases[l]);
      // Optimizer state starts at zero (docs/RULES.md).
      for (const s of [...layer.weightState, ...layer.biasState]) encoder.clearBuffer(s);
    });
    // No step yet: no training loss and no rows classified (two values per model).
    q.writeBuffer(this.run.lossTrain, 0, new Float32Array(2 * (grid?.count ?? 1)).fill(Number.NaN));
    q.submit([encoder.finish()]);
    this.stepCount = 0;
  }

  /**
   * `count` floats of `source` from float `first` on, as float64, through the reused staging
   * buffer, one chunk of at most its size at a time: no allocation on the GPU, whatever the size.
   */
  protected async readFloats(source: GPUBuffer, count: number, first = 0): Promise<Float64Array> {
    const out = new Float64Array(count);
    const chunkFloats = this.run.staging.size / 4;
    for (let done = 0; done < count; done += chunkFloats) {
      const floats = Math.min(chunkFloats, count - done);
      const bytes = Math.ceil(floats / 4) * 16; // copies move multiples of 4 bytes; buffers are padded to 16
      const from = (first + done) * 4;
      const encoder = this.device.createCommandEncoder({ label: `${this.label}.getParameters` });
      encoder.copyBufferToBuffer(source, from, this.run.staging, 0, Math.min(bytes, this.run.staging.size, source.size - from));
      this.device.queue.submit([encoder.finish()]);
      await this.guard(this.run.staging.mapAsync(GPUMapMode.READ, 0, floats * 4));
      // Copy out before unmap: the mapped range is detached by it.
      out.set(new Float32Array(this.run.staging.getMappedRange(0, floats * 4)), done);
      this.run.staging.unmap();
    }
    return out;
  }

  /** Fills the uniform slots of steps first … first + count − 1 (t counts from 1), each with its own η_t and α_t. */
  private writeStepSlots(first: number, count: number): void {
    const floatsPerSlot = STEP_SLOT_STRIDE / 4;
    const h = this.slotHyperparameters;
    for (let i = 0; i < count; i++) packStepParams(stepHyperparameters(this.stepConfig, first + i, h), first + i, this.stepSlots, i * floatsPerSlot);
    this.device.queue.writeBuffer(this.run.stepParams, 0, this.stepSlots, 0, count * floatsPerSlot);
  }

  /** Records one training step: batch copy, then the step's passes (docs/RULES.md order). */
  private encodeStep(encoder: GPUCommandEncoder, t: number, slot: number, timestamps?: GPUComputePassTimestampWrites): void {
    const { batch, layers } = this.config;
    const L = layers.length - 1;
    const first = ((t - 1) % trainBatchCount(this.config)) * batch;
    const { run } = this;
    encoder.copyBufferToBuffer(run.trainX, first * layers[0] * 4, run.batchX, 0, batch * layers[0] * 4);
    encoder.copyBufferToBuffer(run.trainT, first * layers[L] * 4, run.batchT, 0, batch * layers[L] * 4);
    const pass = encoder.beginComputePass({ label: `${this.label}.step${t}`, timestampWrites: timestamps });
    this.passes.encodeStep(pass, slot);
    pass.end();
  }

  /** Overlapping `train` calls run one after the other, in call order (each its own steps and timing). */
  private readonly trainCalls = new SerialQueue();

  async train(steps: number): Promise<TrainTiming> {
    this.alive();
    checkStepCount(steps);
    return this.trainCalls.run(() => this.trainNow(steps));
  }

  private async trainNow(steps: number): Promise<TrainTiming> {
    this.alive();
    const timing = this.timing;
    let done = 0;
    // Every submit of this call inside one validation scope, popped before the call resolves.
    this.device.pushErrorScope('validation');
    while (done < steps) {
      const count = Math.min(STEPS_PER_SUBMIT, steps - done);
      this.writeStepSlots(this.stepCount + 1, count);
      const encoder = this.device.createCommandEncoder({ label: `${this.label}.train` });
      for (let i = 0; i < count; i++) {
        const isFirst = done === 0 && i === 0;
        const isLast = done + i === steps - 1;
        const writes: GPUComputePassTimestampWrites | undefined =
          timing && (isFirst || isLast)
            ? { querySet: timing.querySet, ...(isFirst ? { beginningOfPassWriteIndex: 0 } : {}), ...(isLast ? { endOfPassWriteIndex: 1 } : {}) }
            : undefined;
        this.stepCount++;
        this.encodeStep(encoder, this.stepCount, i, writes);
      }
      done += count;
      if (timing && done === steps) {
        encoder.resolveQuerySet(timing.querySet, 0, 2, timing.resolve, 0);
        encoder.copyBufferToBuffer(timing.resolve, 0, timing.readback, 0, 16);
      }
      this.device.queue.submit([encoder.finish()]);
    }
    await this.guard(rejectedSubmits(this.device, `a training submit (steps ${this.stepCount - steps + 1}–${this.stepCount})`));
    if (!timing) {
      await this.guard(this.device.queue.onSubmittedWorkDone());
      return {};
    }
    return this.serial(async () => {
      await this.guard(timing.readback.mapAsync(GPUMapMode.READ));
      const [begin, end] = new BigUint64Array(timing.readback.getMappedRange(0, 16));
      timing.readback.unmap();
      const deviceMs = Number(end - begin) / 1e6;
      // An implementation may return zeros (timestamps disabled for privacy): report no device time then.
      return end > begin ? { deviceMs } : {};
    });
  }

  /**
   * Records `encodeWork`, copies each source's first floats into the staging buffer one after
   * another, and returns them: the small reads (norms, losses, counts) in one map.
   */
  protected readSmall(encodeWork: (encoder: GPUCommandEncoder) => void, sources: { buffer: GPUBuffer; floats: number }[]): Promise<Float32Array> {
    return this.serial(async () => {
      const encoder = this.device.createCommandEncoder({ label: `${this.label}.readSmall` });
      encodeWork(encoder);
      let at = 0;
      for (const { buffer, floats } of sources) {
        encoder.copyBufferToBuffer(buffer, 0, this.run.staging, at * 4, floats * 4);
        at += floats;
      }
      this.device.queue.submit([encoder.finish()]);
      // Map only what was copied: the staging buffer is sized for parameter reads (up to 64 MiB),
      // and a browser ships the whole mapped range to the page on every record.
      await this.guard(this.run.staging.mapAsync(GPUMapMode.READ, 0, at * 4));
      const values = new Float32Array(this.run.staging.getMappedRange(0, at * 4)).slice();
      this.run.staging.unmap();
      return values;
    });
  }

  /** Frees what the subclass made beside the plan (its own passes). */
  protected abstract disposeOwn(): void;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeOwn();
    for (const b of [...this.run.all, ...this.extra]) b.destroy();
    this.timing?.querySet.destroy();
  }
}

/**
 * Builds a trainer inside validation and out-of-memory error scopes (its caller has checked the
 * limits first); on any error it destroys what was made and throws a message naming the problem.
 */
export async function buildInErrorScopes<T extends { dispose(): void }>(device: GPUDevice, build: () => T): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let trainer: T | null = null;
  let thrown: unknown = null;
  try {
    trainer = build();
  } catch (e) {
    thrown = e;
  }
  const validation = await device.popErrorScope();
  const outOfMemory = await device.popErrorScope();
  if (thrown || validation || outOfMemory) {
    trainer?.dispose();
    if (outOfMemory) throw new Error(`The GPU ran out of memory setting up this run (${outOfMemory.message}). Try smaller layers or batch.`);
    if (validation) throw new Error(`WebGPU rejected the set-up of this run: ${validation.message}`);
    throw thrown instanceof Error ? thrown : new Error(String(thrown));
  }
  return trainer!;
}
