/**
 * What a GPU run allocates, predicted before anything is allocated, and whether it fits the
 * device's limits. The sweep calls checkGpuFit for every width; the trainer calls it first.
 */
import type { MlpConfig } from '../model/config';
import { formatBytes, formatBytesApart } from '../model/units';

export interface PlannedBuffer {
  /** Human name, e.g. "layer 2 weights". */
  name: string;
  bytes: number;
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
 * The readback staging buffer: room for the small reads (L sums of squares, two losses) and for
 * the largest parameter buffer up to MAX_STAGING_BYTES. It is never larger than a weights buffer,
 * so it fits wherever they do.
 */
export function stagingBytes(layers: readonly number[]): number {
  const L = layers.length - 1;
  let largest = 0;
  for (let l = 1; l <= L; l++) largest = Math.max(largest, paddedBytes(layers[l - 1] * layers[l]), paddedBytes(layers[l]));
  return Math.max(paddedBytes(L + 2), Math.min(MAX_STAGING_BYTES, largest));
}

export function gpuMemoryPlan(config: Pick<MlpConfig, 'layers' | 'batch' | 'trainBatches' | 'optimizer'>): GpuMemoryPlan {
  const { layers, batch, trainBatches, optimizer } = config;
  const L = layers.length - 1;
  const states = optimizer === 'adam' ? 2 : optimizer === 'momentum' ? 1 : 0;
  const buffers: PlannedBuffer[] = [];
  const add = (name: string, floats: number) => buffers.push({ name, bytes: paddedBytes(floats) });
  add('training inputs', trainBatches * batch * layers[0]);
  add('training targets', trainBatches * batch * layers[L]);
  add('validation inputs', batch * layers[0]);
  add('validation targets', batch * layers[L]);
  add('batch inputs', batch * layers[0]);
  add('batch targets', batch * layers[L]);
  for (let l = 1; l <= L; l++) {
    const w = layers[l - 1] * layers[l];
    add(`layer ${l} weights`, w);
    add(`layer ${l} weight gradients`, w);
    for (let s = 0; s < states; s++) add(`layer ${l} weight optimizer state`, w);
    add(`layer ${l} biases`, layers[l]);
    add(`layer ${l} bias gradients`, layers[l]);
    for (let s = 0; s < states; s++) add(`layer ${l} bias optimizer state`, layers[l]);
    add(`layer ${l} activations`, batch * layers[l]);
    add(`layer ${l} activation gradients`, batch * layers[l]);
  }
  buffers.push({ name: 'readback staging', bytes: stagingBytes(layers) });
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
export function hostCopyBytes(config: Pick<MlpConfig, 'layers' | 'batch' | 'trainBatches'>): number {
  const { layers, batch, trainBatches } = config;
  let parameters = 0;
  for (let l = 1; l < layers.length; l++) parameters += layers[l - 1] * layers[l] + layers[l];
  const dataRows = (trainBatches + 1) * batch;
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
  config: Pick<MlpConfig, 'layers' | 'batch' | 'trainBatches' | 'optimizer'>,
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
