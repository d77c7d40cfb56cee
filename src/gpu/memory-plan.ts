/**
 * What a GPU run allocates, predicted before anything is allocated, and whether it fits the
 * device's limits. The sweep calls checkGpuFit for every width; the trainer calls it first and
 * then allocates exactly this list (src/gpu/run-buffers.ts), so the two cannot disagree.
 */
import type { MlpConfig } from '../model/config';
import { trainRowCount, validationRowCount } from '../model/config';
import { formatBytes, formatBytesApart } from '../model/units';
import { updateRule } from '../model/update-rules';
import { STEP_SLOTS_BYTES } from './passes/step-params';

/** How a buffer is used: storage (read/written by kernels), the step constants' uniform, or the readback. */
export type BufferUse = 'storage' | 'uniform' | 'readback';

export interface PlannedBuffer {
  /** Key the trainer takes it by, e.g. "layer2.weights". */
  id: string;
  /** Human name, e.g. "layer 2 weights". */
  name: string;
  bytes: number;
  use: BufferUse;
  /**
   * In a grid's plan: floats from one model's part of the buffer to the next (a multiple of 4, so
   * every model starts 16-byte aligned), or 0 where the models share the buffer (the data).
   */
  modelStride: number;
}

export interface GpuMemoryPlan {
  buffers: PlannedBuffer[];
  totalBytes: number;
  largest: PlannedBuffer;
}

const F32 = 4;

/** Every storage buffer is padded to 16 bytes: the matmul reads its operands as vec4. */
export function paddedBytes(floats: number): number {
  return Math.max(16, Math.ceil((floats * F32) / 16) * 16);
}

/** One model's floats rounded up to whole vec4s: a grid's stride, and paddedBytes / 4 for one model. */
export function modelStrideFloats(floats: number): number {
  return paddedBytes(floats) / F32;
}

/** Upper bound of the reused readback buffer; bigger parameter buffers are read in chunks. */
export const MAX_STAGING_BYTES = 64 << 20;

/**
 * The readback staging buffer: room for the small reads (L sums of squares, two losses and two
 * counts) and for
 * the largest parameter buffer up to MAX_STAGING_BYTES. It is never larger than a weights buffer,
 * so it fits wherever they do.
 */
export function stagingBytes(layers: readonly number[]): number {
  const L = layers.length - 1;
  let largest = 0;
  for (let l = 1; l <= L; l++) largest = Math.max(largest, paddedBytes(layers[l - 1] * layers[l]), paddedBytes(layers[l]));
  return Math.max(paddedBytes(L + 4), Math.min(MAX_STAGING_BYTES, largest));
}

/** What the plan reads of a configuration. */
export type PlanConfig = Pick<MlpConfig, 'layers' | 'batch' | 'trainBatches' | 'optimizer' | 'dataset' | 'trainSize' | 'validationSize'>;

/**
 * The buffers of one run, or with `models` of a grid of that many models (src/gpu/grid-trainer.ts):
 * the data once, every per-model tensor `models` times at its modelStride, the losses packed per
 * model, and each model's (η, λ, α). A grid of one model has the single plan's buffers and sizes
 * but for that last buffer and the staging buffer's room for the per-model losses.
 */
export function gpuMemoryPlan(config: PlanConfig, models?: number): GpuMemoryPlan {
  const { layers, batch, optimizer } = config;
  const trainRows = trainRowCount(config);
  const validationRows = validationRowCount(config);
  const L = layers.length - 1;
  const G = models ?? 1;
  // The state count is the rule's own (v for momentum, m and s for Adam); the variant does not change it.
  const states = updateRule(optimizer, 'l2').state.length;
  const buffers: PlannedBuffer[] = [];
  const shared = (id: string, name: string, floats: number) => buffers.push({ id, name, bytes: paddedBytes(floats), use: 'storage', modelStride: 0 });
  const perModel = (id: string, name: string, floats: number) => {
    const stride = modelStrideFloats(floats);
    buffers.push({
      id,
      name: models === undefined ? name : `${name} of ${G} models`,
      bytes: G * stride * F32,
      use: 'storage',
      modelStride: models === undefined ? 0 : stride,
    });
  };
  // Values that a kernel writes at [model] or [model · rows + row]: packed, not strided.
  const packed = (id: string, name: string, floats: number) =>
    buffers.push({
      id,
      name: models === undefined ? name : `${name} of ${G} models`,
      bytes: paddedBytes(G * floats),
      use: 'storage',
      modelStride: models === undefined ? 0 : floats,
    });
  shared('train.inputs', 'training inputs', trainRows * layers[0]);
  shared('train.targets', 'training targets', trainRows * layers[L]);
  shared('validation.inputs', 'validation inputs', validationRows * layers[0]);
  shared('validation.targets', 'validation targets', validationRows * layers[L]);
  shared('batch.inputs', 'batch inputs', batch * layers[0]);
  shared('batch.targets', 'batch targets', batch * layers[L]);
  // Per row of a batch or validation chunk: its loss and whether it was classified right (shaders/loss.wgsl).
  packed('rowLoss', 'row losses', 2 * batch);
  // The mean loss and the count of rows classified right.
  packed('loss.train', 'training loss', 2);
  packed('loss.validation', 'validation loss', 2);
  shared('norms.sumsOfSquares', 'weight sums of squares', L);
  if (models !== undefined)
    buffers.push({ id: 'models.hyperparameters', name: `(η, λ, α) of ${G} models`, bytes: paddedBytes(4 * G), use: 'storage', modelStride: 4 });
  for (let l = 1; l <= L; l++) {
    const w = layers[l - 1] * layers[l];
    perModel(`layer${l}.weights`, `layer ${l} weights`, w);
    perModel(`layer${l}.weightGrads`, `layer ${l} weight gradients`, w);
    for (let s = 1; s <= states; s++) perModel(`layer${l}.weights.state${s}`, `layer ${l} weight optimizer state`, w);
    perModel(`layer${l}.biases`, `layer ${l} biases`, layers[l]);
    perModel(`layer${l}.biasGrads`, `layer ${l} bias gradients`, layers[l]);
    for (let s = 1; s <= states; s++) perModel(`layer${l}.biases.state${s}`, `layer ${l} bias optimizer state`, layers[l]);
    perModel(`layer${l}.activations`, `layer ${l} activations`, batch * layers[l]);
    perModel(`layer${l}.activationGrads`, `layer ${l} activation gradients`, batch * layers[l]);
  }
  buffers.push({ id: 'stepParams', name: 'step constants', bytes: STEP_SLOTS_BYTES, use: 'uniform', modelStride: 0 });
  // A grid reads one model's parameters at a time, and every model's two losses and two counts at once.
  const staging = models === undefined ? stagingBytes(layers) : Math.max(stagingBytes(layers), paddedBytes(4 * G));
  buffers.push({ id: 'staging', name: 'readback staging', bytes: staging, use: 'readback', modelStride: 0 });
  const totalBytes = buffers.reduce((s, b) => s + b.bytes, 0);
  const largest = buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { buffers, totalBytes, largest };
}

/**
 * Host memory a GPU run holds beside its GPU buffers, at its peak (temporaries are garbage only
 * once collected): the float64 initial parameters twice (the runner's shared copy and the one the
 * trainer's constructor uploads), two uploads of the parameters each as a float32 copy plus the
 * implementation's staging of the write, the float64 final weights of the two cells an agreement
 * pair compares, and the float64 dataset. On a software adapter (SwiftShader) the GPU buffers are
 * host memory too, so both count against one budget: --layers 2048,8192 --optimizer adam plans
 * 330 MiB of buffers and 0.75 GiB of these, 1.07 GiB in all, of the 1.25 GiB measured (the rest is
 * the implementation's own).
 */
export function hostCopyBytes(config: Omit<PlanConfig, 'optimizer'>, models?: number): number {
  const { layers } = config;
  let parameters = 0;
  for (let l = 1; l < layers.length; l++) parameters += layers[l - 1] * layers[l] + layers[l];
  const dataRows = trainRowCount(config) + validationRowCount(config);
  const F64 = 8;
  const initial = 2 * F64 * parameters;
  const uploads = 2 * (F32 + F32) * parameters;
  const finalWeights = 2 * F64 * parameters;
  // A grid uploads its start as one float32 copy per model (plus the write's staging of it).
  const gridUploads = (F32 + F32) * parameters * Math.max(0, (models ?? 1) - 1);
  return initial + uploads + gridUploads + finalWeights + F64 * dataRows * (layers[0] + layers[layers.length - 1]);
}

/**
 * Null when the run fits; otherwise why not, naming the buffer, the limit, what the run needs and
 * what the device allows. `memoryBudgetBytes` bounds the total (device memory is not a WebGPU limit);
 * with `hostCopies` (a software adapter, whose buffers are host memory) the total includes hostCopyBytes.
 */
export function checkGpuFit(
  config: PlanConfig,
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupsPerDimension?: number },
  memoryBudgetBytes = Number.POSITIVE_INFINITY,
  options: { hostCopies?: boolean; models?: number } = {},
): string | null {
  const { models } = options;
  const perDimension = limits.maxComputeWorkgroupsPerDimension;
  // A grid's models are a dispatch dimension (shaders/matmul.wgsl, loss.wgsl).
  if (models !== undefined && perDimension !== undefined && models > perDimension)
    return `${models} models need ${models} workgroups in one dispatch dimension; maxComputeWorkgroupsPerDimension is ${perDimension}`;
  const plan = gpuMemoryPlan(config, models);
  for (const limit of ['maxBufferSize', 'maxStorageBufferBindingSize'] as const) {
    const over = plan.buffers.find((b) => b.bytes > limits[limit]);
    if (over) {
      const [need, allowed] = formatBytesApart(over.bytes, limits[limit]);
      return `${over.name} need ${need}; ${limit} is ${allowed}`;
    }
  }
  const host = options.hostCopies ? hostCopyBytes(config, models) : 0;
  if (plan.totalBytes + host > memoryBudgetBytes) {
    const [need, allowed] = formatBytesApart(plan.totalBytes + host, memoryBudgetBytes);
    if (host > 0)
      return `the run needs ${need} of memory in all on this software adapter (${formatBytes(plan.totalBytes)} of GPU buffers and ${formatBytes(host)} of host copies); the memory budget is ${allowed}`;
    return `the run needs ${need} of GPU memory in all; the memory budget is ${allowed}`;
  }
  return null;
}

/**
 * The most models of this shape one grid can hold within the limits and the budget (0 when not even
 * one fits): the per-model buffers grow linearly, so a binary search over checkGpuFit.
 */
export function maxGridModels(
  config: PlanConfig,
  limits: Parameters<typeof checkGpuFit>[1],
  memoryBudgetBytes = Number.POSITIVE_INFINITY,
  options: { hostCopies?: boolean } = {},
): number {
  const fits = (G: number) => checkGpuFit(config, limits, memoryBudgetBytes, { ...options, models: G }) === null;
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (hi <= MAX_GRID_MODELS && fits(hi)) [lo, hi] = [hi, hi * 2];
  hi = Math.min(hi, MAX_GRID_MODELS + 1);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The most models a grid takes whatever the device (WebGPU's default maxComputeWorkgroupsPerDimension). */
export const MAX_GRID_MODELS = 65535;
