/**
 * The GPU trainer: docs/RULES.md in WGSL. It owns every buffer of a run (data, weights, optimizer
 * state, each layer's activations and gradients), all made once here. A train(n) call records
 * its steps into one command encoder per STEPS_PER_SUBMIT steps and submits once; nothing is
 * allocated or read back inside it. Norms and losses come back only on request, through one
 * reused staging buffer.
 */
import type { MlpConfig, Variant } from '../model/config';
import { trainBatchCount, validateConfig, validationRowCount } from '../model/config';
import { hasAccuracy } from '../model/accuracy';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, initialParameters } from '../model/parameters';
import type { Losses, Trainer, TrainTiming } from '../model/trainer';
import { checkDataset, checkStepCount } from '../model/trainer';
import { SerialQueue, rejectedSubmits } from './serial-queue';
import { hyperparameters, stepHyperparameters, type Hyperparameters } from '../model/update-rules';
import type { MatmulChoice } from './kernels';
import { Kernels } from './kernels';
import { checkGpuFit } from './memory-plan';
import { STEP_SLOT_STRIDE, STEPS_PER_SUBMIT, packStepParams } from './passes/step-params';
import type { LayerBuffers, RunBuffers } from './run-buffers';
import { allocateRunBuffers } from './run-buffers';
import { StepPasses } from './step-passes';

export { STEPS_PER_SUBMIT } from './passes/step-params';

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

export class GpuTrainer implements Trainer {
  readonly backend = 'gpu' as const;
  readonly config: MlpConfig;
  private readonly device: GPUDevice;
  /** Every buffer of the run, from the memory plan (src/gpu/run-buffers.ts). */
  private readonly run: RunBuffers;
  private readonly layers: LayerBuffers[];
  /** Host copy of the step slots, written once per submit (preallocated: no garbage per step). */
  private readonly stepSlots: Float32Array;
  /** Step t's η_t, α_t and the rest, rewritten for each slot (preallocated too). */
  private readonly slotHyperparameters: Hyperparameters;
  private readonly passes: StepPasses;
  /** Buffers made beside the plan (the timestamp query's), destroyed with it. */
  private readonly extra: GPUBuffer[] = [];
  private readonly timing: { querySet: GPUQuerySet; resolve: GPUBuffer; readback: GPUBuffer } | null;
  private stepCount = 0;
  private lost: GPUDeviceLostInfo | null = null;
  private disposed = false;
  /** Serialises readbacks: the staging buffers can be mapped by one caller at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Use createGpuTrainer: it checks the limits first and catches set-up errors. */
  constructor(
    device: GPUDevice,
    config: MlpConfig,
    readonly variant: Variant,
    data: Dataset,
    options: GpuTrainerOptions = {},
  ) {
    this.device = device;
    this.config = validateConfig({ ...config });
    device.lost.then((info) => {
      this.lost = info;
    });
    // On a throw the constructor's caller gets no trainer to dispose: free what was made first.
    const made: GPUBuffer[] = [];
    try {
      this.run = allocateRunBuffers(device, this.config, data, made);
      this.passes = new StepPasses(Kernels.of(device), this.config, variant, this.run, options.matmul ?? 'auto');
    } catch (e) {
      for (const b of made) b.destroy();
      throw e;
    }
    this.layers = this.run.layers;
    this.stepSlots = new Float32Array((STEPS_PER_SUBMIT * STEP_SLOT_STRIDE) / 4);
    this.slotHyperparameters = hyperparameters(this.config);

    this.timing =
      options.timestamps !== false && device.features.has('timestamp-query')
        ? {
            querySet: device.createQuerySet({ label: 'GpuTrainer.timestamps', type: 'timestamp', count: 2 }),
            resolve: this.timestampBuffer('resolve', GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC),
            readback: this.timestampBuffer('readback', GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
          }
        : null;

    this.writeParameters(initialParameters(this.config));
  }

  private timestampBuffer(what: string, usage: number): GPUBuffer {
    const b = this.device.createBuffer({ label: `GpuTrainer.timestamps.${what}`, size: 16, usage });
    this.extra.push(b);
    return b;
  }

  get step(): number {
    return this.stepCount;
  }

  /** Throws the reason this trainer can no longer be used, if any. */
  private alive(): void {
    if (this.lost) throw lostError(this.lost);
    if (this.disposed) throw new Error('This GPU trainer was disposed; create a new one.');
  }

  /** Waits for a GPU promise, or rejects at once if the device is lost meanwhile (never hangs). */
  private async guard<T>(work: Promise<T>): Promise<T> {
    const lost = this.device.lost.then((info) => {
      throw lostError(info);
    });
    const result = await Promise.race([work, lost]);
    this.alive();
    return result;
  }

  /** Runs readbacks one at a time (they share the staging buffers). */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private writeParameters(p: MlpParameters): void {
    const q = this.device.queue;
    const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.setParameters' });
    this.layers.forEach((layer, l) => {
      q.writeBuffer(layer.weights, 0, Float32Array.from(p.weights[l]));
      q.writeBuffer(layer.biases, 0, Float32Array.from(p.biases[l]));
      // Optimizer state starts at zero (docs/RULES.md).
      for (const s of [...layer.weightState, ...layer.biasState]) encoder.clearBuffer(s);
    });
    // No step yet: no training loss and no rows classified.
    q.writeBuffer(this.run.lossTrain, 0, new Float32Array([Number.NaN, Number.NaN]));
    q.submit([encoder.finish()]);
    this.stepCount = 0;
  }

  async setParameters(p: MlpParameters): Promise<void> {
    this.alive();
    assertParameterShapes(p, this.config.layers);
    this.writeParameters(p);
  }

  async getParameters(): Promise<MlpParameters> {
    this.alive();
    return this.serial(async () => {
      const { layers } = this.config;
      const weights: Float64Array[] = [];
      const biases: Float64Array[] = [];
      for (let i = 0; i < this.layers.length; i++) {
        weights.push(await this.readFloats(this.layers[i].weights, layers[i] * layers[i + 1]));
        biases.push(await this.readFloats(this.layers[i].biases, layers[i + 1]));
      }
      return { weights, biases };
    });
  }

  /**
   * The first `count` floats of `source` as float64, through the reused staging buffer, one
   * chunk of at most its size at a time: no allocation on the GPU, whatever the layer size.
   */
  private async readFloats(source: GPUBuffer, count: number): Promise<Float64Array> {
    const out = new Float64Array(count);
    const chunkFloats = this.run.staging.size / 4;
    for (let first = 0; first < count; first += chunkFloats) {
      const floats = Math.min(chunkFloats, count - first);
      const bytes = Math.ceil(floats / 4) * 16; // copies move multiples of 4 bytes; buffers are padded to 16
      const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.getParameters' });
      encoder.copyBufferToBuffer(source, first * 4, this.run.staging, 0, Math.min(bytes, this.run.staging.size));
      this.device.queue.submit([encoder.finish()]);
      await this.guard(this.run.staging.mapAsync(GPUMapMode.READ, 0, floats * 4));
      // Copy out before unmap: the mapped range is detached by it.
      out.set(new Float32Array(this.run.staging.getMappedRange(0, floats * 4)), first);
      this.run.staging.unmap();
    }
    return out;
  }

  /** Fills the uniform slots of steps first … first + count − 1 (t counts from 1), each with its own η_t and α_t. */
  private writeStepSlots(first: number, count: number): void {
    const h = this.slotHyperparameters;
    const floatsPerSlot = STEP_SLOT_STRIDE / 4;
    for (let i = 0; i < count; i++) packStepParams(stepHyperparameters(this.config, first + i, h), first + i, this.stepSlots, i * floatsPerSlot);
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
    const pass = encoder.beginComputePass({ label: `GpuTrainer.step${t}`, timestampWrites: timestamps });
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
      const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.train' });
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
   * Reads [sums of squares…, train loss, train rows right, validation loss, validation rows right]
   * after the given work: a few floats, never the logits.
   */
  private readSmall(encodeExtra: (encoder: GPUCommandEncoder) => void): Promise<Float32Array> {
    return this.serial(async () => {
      const L = this.layers.length;
      const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.readSmall' });
      encodeExtra(encoder);
      encoder.copyBufferToBuffer(this.run.normSums, 0, this.run.staging, 0, L * 4);
      encoder.copyBufferToBuffer(this.run.lossTrain, 0, this.run.staging, L * 4, 8);
      encoder.copyBufferToBuffer(this.run.lossValidation, 0, this.run.staging, (L + 2) * 4, 8);
      this.device.queue.submit([encoder.finish()]);
      // Map only what was copied: the staging buffer is sized for parameter reads (up to 64 MiB),
      // and a browser ships the whole mapped range to the page on every record.
      await this.guard(this.run.staging.mapAsync(GPUMapMode.READ, 0, (L + 4) * 4));
      const values = new Float32Array(this.run.staging.getMappedRange(0, (L + 4) * 4)).slice();
      this.run.staging.unmap();
      return values;
    });
  }

  async norms(): Promise<number[]> {
    this.alive();
    const values = await this.readSmall((encoder) => {
      const pass = encoder.beginComputePass({ label: 'GpuTrainer.norms.pass' });
      this.passes.norms.encode(pass);
      pass.end();
    });
    return Array.from(values.subarray(0, this.layers.length), Math.sqrt);
  }

  async losses(): Promise<Losses> {
    this.alive();
    const values = await this.readSmall((encoder) => this.passes.encodeValidation(encoder));
    const L = this.layers.length;
    const accuracy = hasAccuracy(this.config);
    return {
      train: values[L],
      validation: values[L + 2],
      trainAccuracy: accuracy ? values[L + 1] / this.config.batch : Number.NaN,
      validationAccuracy: accuracy ? values[L + 3] / validationRowCount(this.config) : Number.NaN,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.passes.destroy();
    for (const b of [...this.run.all, ...this.extra]) b.destroy();
    this.timing?.querySet.destroy();
  }
}

/**
 * Checks the run against the device's limits before allocating anything, then builds the
 * trainer inside validation and out-of-memory error scopes; on any error it destroys what it
 * made and throws a message that names the problem.
 */
export async function createGpuTrainer(
  device: GPUDevice,
  config: MlpConfig,
  variant: Variant,
  data: Dataset,
  options: GpuTrainerOptions = {},
): Promise<GpuTrainer> {
  const valid = validateConfig({ ...config });
  const tooBig = checkGpuFit(valid, device.limits, options.memoryBudgetBytes);
  if (tooBig) throw new Error(`This run does not fit the GPU: ${tooBig}.`);
  // After the limits (what a run over them is told first), before anything is allocated.
  checkDataset(valid, data);
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let trainer: GpuTrainer | null = null;
  let thrown: unknown = null;
  try {
    trainer = new GpuTrainer(device, valid, variant, data, options);
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
