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

export function gpuMemoryPlan(config: PlanConfig): GpuMemoryPlan {
  const { layers, batch, optimizer } = config;
  const trainRows = trainRowCount(config);
  const validationRows = validationRowCount(config);
  const L = layers.length - 1;
  // The state count is the rule's own (v for momentum, m and s for Adam); the variant does not change it.
  const states = updateRule(optimizer, 'l2').state.length;
  const buffers: PlannedBuffer[] = [];
  const add = (id: string, name: string, floats: number) => buffers.push({ id, name, bytes: paddedBytes(floats), use: 'storage' });
  add('train.inputs', 'training inputs', trainRows * layers[0]);
  add('train.targets', 'training targets', trainRows * layers[L]);
  add('validation.inputs', 'validation inputs', validationRows * layers[0]);
  add('validation.targets', 'validation targets', validationRows * layers[L]);
  add('batch.inputs', 'batch inputs', batch * layers[0]);
  add('batch.targets', 'batch targets', batch * layers[L]);
  // Per row of a batch or validation chunk: its loss and whether it was classified right (shaders/loss.wgsl).
  add('rowLoss', 'row losses', 2 * batch);
  add('loss.train', 'training loss', 2);
  add('loss.validation', 'validation loss', 2);
  add('norms.sumsOfSquares', 'weight sums of squares', L);
  for (let l = 1; l <= L; l++) {
    const w = layers[l - 1] * layers[l];
    add(`layer${l}.weights`, `layer ${l} weights`, w);
    add(`layer${l}.weightGrads`, `layer ${l} weight gradients`, w);
    for (let s = 1; s <= states; s++) add(`layer${l}.weights.state${s}`, `layer ${l} weight optimizer state`, w);
    add(`layer${l}.biases`, `layer ${l} biases`, layers[l]);
    add(`layer${l}.biasGrads`, `layer ${l} bias gradients`, layers[l]);
    for (let s = 1; s <= states; s++) add(`layer${l}.biases.state${s}`, `layer ${l} bias optimizer state`, layers[l]);
    add(`layer${l}.activations`, `layer ${l} activations`, batch * layers[l]);
    add(`layer${l}.activationGrads`, `layer ${l} activation gradients`, batch * layers[l]);
  }
  buffers.push({ id: 'stepParams', name: 'step constants', bytes: STEP_SLOTS_BYTES, use: 'uniform' });
  buffers.push({ id: 'staging', name: 'readback staging', bytes: stagingBytes(layers), use: 'readback' });
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
export function hostCopyBytes(config: Omit<PlanConfig, 'optimizer'>): number {
  const { layers } = config;
  let parameters = 0;
  for (let l = 1; l < layers.length; l++) parameters += layers[l - 1] * layers[l] + layers[l];
  const dataRows = trainRowCount(config) + validationRowCount(config);
  const F64 = 8;
  const initial = 2 * F64 * parameters;
  const uploads = 2 * (F32 + F32) * parameters;
  const finalWeights = 2 * F64 * parameters;
  return initial + uploads + finalWeights + F64 * dataRows * (layers[0] + layers[layers.length - 1]);
}

/**
 * Null when the run fits; otherwise why not, naming the buffer, the limit, what the run needs and
 * what the device allows. `memoryBudgetBytes` bounds the total (device memory is not a WebGPU limit);
 * with `hostCopies` (a software adapter, whose buffers are host memory) the total includes hostCopyBytes.
 */
export function checkGpuFit(
  config: PlanConfig,
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number },
  memoryBudgetBytes = Number.POSITIVE_INFINITY,
  options: { hostCopies?: boolean } = {},
): string | null {
  const plan = gpuMemoryPlan(config);
  for (const limit of ['maxBufferSize', 'maxStorageBufferBindingSize'] as const) {
    const over = plan.buffers.find((b) => b.bytes > limits[limit]);
    if (over) {
      const [need, allowed] = formatBytesApart(over.bytes, limits[limit]);
      return `${over.name} need ${need}; ${limit} is ${allowed}`;
    }
  }
  const host = options.hostCopies ? hostCopyBytes(config) : 0;
  if (plan.totalBytes + host > memoryBudgetBytes) {
    const [need, allowed] = formatBytesApart(plan.totalBytes + host, memoryBudgetBytes);
    if (host > 0)
      return `the run needs ${need} of memory in all on this software adapter (${formatBytes(plan.totalBytes)} of GPU buffers and ${formatBytes(host)} of host copies); the memory budget is ${allowed}`;
    return `the run needs ${need} of GPU memory in all; the memory budget is ${allowed}`;
  }
  return null;
}
