/**
 * The GPU trainer: RULES.md in WGSL. It owns every buffer of a run (data, weights, optimizer
 * state, each layer's activations and gradients), all made once here. A train(n) call records
 * its steps into one command encoder per STEPS_PER_SUBMIT steps and submits once; nothing is
 * allocated or read back inside it. Norms and losses come back only on request, through one
 * reused staging buffer.
 */
import type { MlpConfig, Variant } from '../model/config';
import { validateConfig } from '../model/config';
import type { Dataset } from '../model/data';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, initialParameters } from '../model/parameters';
import type { Losses, Trainer, TrainTiming } from '../model/trainer';
import { checkDataset, checkStepCount } from '../model/trainer';
import { SerialQueue, rejectedSubmits } from './serial-queue';
import { hyperparameters } from '../model/update-rules';
import type { MatmulChoice } from './kernels';
import { Kernels } from './kernels';
import { checkGpuFit, paddedBytes, stagingBytes } from './memory-plan';
import { BiasGradPass } from './passes/bias-grad-pass';
import { LossPass } from './passes/loss-pass';
import { MatmulPass } from './passes/matmul-pass';
import { NormsPass } from './passes/norms-pass';
import { STEP_SLOT_STRIDE, UpdatePass } from './passes/update-pass';

export interface GpuTrainerOptions {
  /** Matmul kernel for every product, or 'auto' (default): per product by shape (see pickMatmul). */
  matmul?: MatmulChoice;
  /** Measure device time with timestamp-query when the device has the feature (default true). */
  timestamps?: boolean;
  /** Bound on the run's total GPU memory, checked before allocating (default: none beyond the limits). */
  memoryBudgetBytes?: number;
}

/** Steps recorded per submit: one uniform slot each, so Adam's t is right for every step. */
export const STEPS_PER_SUBMIT = 64;

interface Layer {
  weights: GPUBuffer;
  biases: GPUBuffer;
  weightGrads: GPUBuffer;
  biasGrads: GPUBuffer;
  /** Optimizer state of W and b: [v] for momentum, [m, s] for Adam, placeholders for SGD. */
  weightState: GPUBuffer[];
  biasState: GPUBuffer[];
  /** A_l for hidden layers, Z_L for the output layer: [B, n_l]. */
  activations: GPUBuffer;
  /** dZ_l: [B, n_l]. */
  activationGrads: GPUBuffer;
}

/** Error for every call after the device is gone. */
function lostError(info: GPUDeviceLostInfo): Error {
  return new Error(
    `The GPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}). ` +
      'Acquire a new device and create a new trainer.',
  );
}

export class GpuTrainer implements Trainer {
  readonly backend = 'gpu' as const;
  readonly config: MlpConfig;
  private readonly device: GPUDevice;
  private readonly buffers: GPUBuffer[] = [];
  private readonly layers: Layer[] = [];
  private readonly trainX: GPUBuffer;
  private readonly trainT: GPUBuffer;
  private readonly batchX: GPUBuffer;
  private readonly batchT: GPUBuffer;
  private readonly lossTrain: GPUBuffer;
  private readonly lossValidation: GPUBuffer;
  private readonly normSums: GPUBuffer;
  private readonly stepParams: GPUBuffer;
  /** Host copy of the step slots, written once per submit (preallocated: no garbage per step). */
  private readonly stepSlots: Float32Array;
  /** Reused for norms and losses: [L sums of squares, train loss, validation loss]. */
  private readonly staging: GPUBuffer;
  private readonly trainPasses: { forward: MatmulPass[]; loss: LossPass; weightGrads: MatmulPass[]; biasGrads: BiasGradPass[]; inputGrads: MatmulPass[]; updates: UpdatePass[] };
  private readonly validationPasses: { forward: MatmulPass[]; loss: LossPass };
  private readonly normsPass: NormsPass;
  private readonly owned: { destroy(): void }[] = [];
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
    const { layers, batch, loss, activation, optimizer, regularizeBias } = this.config;
    const L = layers.length - 1;
    const kernels = Kernels.of(device);
    const matmul = options.matmul ?? 'auto';
    const S = GPUBufferUsage.STORAGE;
    const buffer = (label: string, floats: number, usage: number = S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC) => {
      const b = device.createBuffer({ label: `GpuTrainer.${label}`, size: paddedBytes(floats), usage });
      this.buffers.push(b);
      return b;
    };
    const upload = (b: GPUBuffer, values: ArrayLike<number>) => device.queue.writeBuffer(b, 0, Float32Array.from(values));
    device.lost.then((info) => {
      this.lost = info;
    });

    this.trainX = buffer('train.inputs', data.train.x.length);
    this.trainT = buffer('train.targets', data.train.t.length);
    const validationX = buffer('validation.inputs', data.validation.x.length);
    const validationT = buffer('validation.targets', data.validation.t.length);
    upload(this.trainX, data.train.x);
    upload(this.trainT, data.train.t);
    upload(validationX, data.validation.x);
    upload(validationT, data.validation.t);
    this.batchX = buffer('batch.inputs', batch * layers[0]);
    this.batchT = buffer('batch.targets', batch * layers[L]);
    const placeholder = buffer('placeholder', 4);
    const rowLoss = buffer('rowLoss', batch);
    this.lossTrain = buffer('loss.train', 1);
    this.lossValidation = buffer('loss.validation', 1);
    this.normSums = buffer('norms.sumsOfSquares', L);

    const stateCount = optimizer === 'adam' ? 2 : optimizer === 'momentum' ? 1 : 0;
    for (let l = 1; l <= L; l++) {
      const w = layers[l - 1] * layers[l];
      const n = layers[l];
      const states = (what: string, count: number) =>
        // SGD keeps no state; two distinct placeholders keep the two writable bindings from aliasing.
        [0, 1].map((i) => (i < stateCount ? buffer(`layer${l}.${what}.state${i + 1}`, count) : buffer(`layer${l}.${what}.unusedState${i + 1}`, 4)));
      this.layers.push({
        weights: buffer(`layer${l}.weights`, w),
        biases: buffer(`layer${l}.biases`, n),
        weightGrads: buffer(`layer${l}.weightGrads`, w),
        biasGrads: buffer(`layer${l}.biasGrads`, n),
        weightState: states('weights', w),
        biasState: states('biases', n),
        activations: buffer(`layer${l}.activations`, batch * n),
        activationGrads: buffer(`layer${l}.activationGrads`, batch * n),
      });
    }

    this.stepParams = device.createBuffer({
      label: 'GpuTrainer.stepParams',
      size: STEPS_PER_SUBMIT * STEP_SLOT_STRIDE,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.buffers.push(this.stepParams);
    this.stepSlots = new Float32Array((STEPS_PER_SUBMIT * STEP_SLOT_STRIDE) / 4);
    this.staging = device.createBuffer({ label: 'GpuTrainer.staging', size: stagingBytes(layers), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.buffers.push(this.staging);

    const forward = (input: GPUBuffer, tag: string) =>
      this.layers.map((layer, i) => {
        const l = i + 1;
        return new MatmulPass(
          kernels,
          `GpuTrainer.layer${l}.${tag}`,
          'forward',
          { M: batch, N: layers[l], K: layers[l - 1] },
          { a: i === 0 ? input : this.layers[i - 1].activations, b: layer.weights, bias: layer.biases, out: layer.activations },
          l < L ? activation : 'identity',
          matmul,
          placeholder,
        );
      });
    const output = this.layers[L - 1];
    const lossPass = (targets: GPUBuffer, lossOut: GPUBuffer, tag: string) =>
      new LossPass(kernels, `GpuTrainer.${tag}`, loss, { rows: batch, cols: layers[L] }, { z: output.activations, targets, dz: output.activationGrads, rowLoss, lossOut });

    const hyper = { optimizer, variant };
    this.trainPasses = {
      forward: forward(this.batchX, 'forward'),
      loss: lossPass(this.batchT, this.lossTrain, 'loss'),
      weightGrads: this.layers.map((layer, i) =>
        new MatmulPass(
          kernels,
          `GpuTrainer.layer${i + 1}.weightGrad`,
          'weightGrad',
          { M: layers[i], N: layers[i + 1], K: batch },
          { a: i === 0 ? this.batchX : this.layers[i - 1].activations, b: layer.activationGrads, out: layer.weightGrads },
          'identity',
          matmul,
          placeholder,
        ),
      ),
      biasGrads: this.layers.map((layer, i) =>
        new BiasGradPass(kernels, `GpuTrainer.layer${i + 1}.biasGrad`, { rows: batch, cols: layers[i + 1] }, layer.activationGrads, layer.biasGrads, placeholder),
      ),
      // inputGrads[i] produces dZ of layer i (1-based) from layer i + 1; none for the input layer.
      inputGrads: this.layers.slice(1).map((layer, j) =>
        new MatmulPass(
          kernels,
          `GpuTrainer.layer${j + 2}.inputGrad`,
          'inputGrad',
          { M: batch, N: layers[j + 1], K: layers[j + 2] },
          { a: layer.activationGrads, b: layer.weights, aux: this.layers[j].activations, out: this.layers[j].activationGrads },
          activation,
          matmul,
          placeholder,
        ),
      ),
      updates: this.layers.flatMap((layer, i) => [
        new UpdatePass(
          kernels,
          `GpuTrainer.layer${i + 1}.updateWeights`,
          { ...hyper, regularized: true },
          { params: layer.weights, grads: layer.weightGrads, state1: layer.weightState[0], state2: layer.weightState[1], stepParams: this.stepParams },
          layers[i] * layers[i + 1],
        ),
        new UpdatePass(
          kernels,
          `GpuTrainer.layer${i + 1}.updateBiases`,
          { ...hyper, regularized: regularizeBias },
          { params: layer.biases, grads: layer.biasGrads, state1: layer.biasState[0], state2: layer.biasState[1], stepParams: this.stepParams },
          layers[i + 1],
        ),
      ]),
    };
    this.validationPasses = { forward: forward(validationX, 'validationForward'), loss: lossPass(validationT, this.lossValidation, 'validationLoss') };
    this.normsPass = new NormsPass(kernels, 'GpuTrainer.norms', this.layers.map((layer, i) => ({ buffer: layer.weights, count: layers[i] * layers[i + 1] })), this.normSums);
    const { trainPasses: t, validationPasses: v } = this;
    this.owned.push(...t.forward, t.loss, ...t.weightGrads, ...t.biasGrads, ...t.inputGrads, ...v.forward, v.loss, this.normsPass);

    this.timing =
      options.timestamps !== false && device.features.has('timestamp-query')
        ? {
            querySet: device.createQuerySet({ label: 'GpuTrainer.timestamps', type: 'timestamp', count: 2 }),
            resolve: buffer('timestamps.resolve', 4, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC),
            readback: buffer('timestamps.readback', 4, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
          }
        : null;

    this.writeParameters(initialParameters(this.config));
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
      // Optimizer state starts at zero (RULES.md); clearing placeholders is harmless.
      for (const s of [...layer.weightState, ...layer.biasState]) encoder.clearBuffer(s);
    });
    q.writeBuffer(this.lossTrain, 0, new Float32Array([Number.NaN]));
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
    const chunkFloats = this.staging.size / 4;
    for (let first = 0; first < count; first += chunkFloats) {
      const floats = Math.min(chunkFloats, count - first);
      const bytes = Math.ceil(floats / 4) * 16; // copies move multiples of 4 bytes; buffers are padded to 16
      const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.getParameters' });
      encoder.copyBufferToBuffer(source, first * 4, this.staging, 0, Math.min(bytes, this.staging.size));
      this.device.queue.submit([encoder.finish()]);
      await this.guard(this.staging.mapAsync(GPUMapMode.READ, 0, floats * 4));
      // Copy out before unmap: the mapped range is detached by it.
      out.set(new Float32Array(this.staging.getMappedRange(0, floats * 4)), first);
      this.staging.unmap();
    }
    return out;
  }

  /** Fills the uniform slots of steps first … first + count − 1 (t counts from 1). */
  private writeStepSlots(first: number, count: number): void {
    const h = hyperparameters(this.config);
    const floatsPerSlot = STEP_SLOT_STRIDE / 4;
    for (let i = 0; i < count; i++) {
      const t = first + i;
      // Bias corrections in float64, rounded once: the reference computes them the same way.
      this.stepSlots.set(
        [h.lr, h.lambda, h.alpha, h.momentum, h.beta1, h.beta2, h.eps, 1 - Math.pow(h.beta1, t), 1 - Math.pow(h.beta2, t), 1 - h.beta1, 1 - h.beta2],
        i * floatsPerSlot,
      );
    }
    this.device.queue.writeBuffer(this.stepParams, 0, this.stepSlots, 0, count * floatsPerSlot);
  }

  /** Records one training step: batch copy, forward, loss, backward, updates (RULES.md order). */
  private encodeStep(encoder: GPUCommandEncoder, t: number, slot: number, timestamps?: GPUComputePassTimestampWrites): void {
    const { batch, trainBatches, layers } = this.config;
    const L = layers.length - 1;
    const first = ((t - 1) % trainBatches) * batch;
    encoder.copyBufferToBuffer(this.trainX, first * layers[0] * 4, this.batchX, 0, batch * layers[0] * 4);
    encoder.copyBufferToBuffer(this.trainT, first * layers[L] * 4, this.batchT, 0, batch * layers[L] * 4);
    const pass = encoder.beginComputePass({ label: `GpuTrainer.step${t}`, timestampWrites: timestamps });
    const p = this.trainPasses;
    for (const f of p.forward) f.encode(pass);
    p.loss.encode(pass);
    // Backward from the output layer down; every dZ uses W before its update, so updates come last.
    for (let l = L; l >= 1; l--) {
      p.weightGrads[l - 1].encode(pass);
      p.biasGrads[l - 1].encode(pass);
      if (l > 1) p.inputGrads[l - 2].encode(pass);
    }
    for (const u of p.updates) u.encode(pass, slot * STEP_SLOT_STRIDE);
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

  /** Reads [sums of squares…, train loss, validation loss] after the given passes. */
  private readSmall(encodeExtra: (pass: GPUComputePassEncoder) => void): Promise<Float32Array> {
    return this.serial(async () => {
      const L = this.layers.length;
      const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.readSmall' });
      const pass = encoder.beginComputePass({ label: 'GpuTrainer.readSmall.pass' });
      encodeExtra(pass);
      pass.end();
      encoder.copyBufferToBuffer(this.normSums, 0, this.staging, 0, L * 4);
      encoder.copyBufferToBuffer(this.lossTrain, 0, this.staging, L * 4, 4);
      encoder.copyBufferToBuffer(this.lossValidation, 0, this.staging, (L + 1) * 4, 4);
      this.device.queue.submit([encoder.finish()]);
      // Map only what was copied: the staging buffer is sized for parameter reads (up to 64 MiB),
      // and a browser ships the whole mapped range to the page on every record.
      await this.guard(this.staging.mapAsync(GPUMapMode.READ, 0, (L + 2) * 4));
      const values = new Float32Array(this.staging.getMappedRange(0, (L + 2) * 4)).slice();
      this.staging.unmap();
      return values;
    });
  }

  async norms(): Promise<number[]> {
    this.alive();
    const values = await this.readSmall((pass) => this.normsPass.encode(pass));
    return Array.from(values.subarray(0, this.layers.length), Math.sqrt);
  }

  async losses(): Promise<Losses> {
    this.alive();
    const values = await this.readSmall((pass) => {
      // The validation forward reuses the activation buffers: the next step recomputes them.
      for (const f of this.validationPasses.forward) f.encode(pass);
      this.validationPasses.loss.encode(pass);
    });
    const L = this.layers.length;
    return { train: values[L], validation: values[L + 1] };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const o of this.owned) o.destroy();
    for (const b of this.buffers) b.destroy();
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
