/**
 * What a GPU run allocates, predicted before anything is allocated, and whether it fits the
 * device's limits. The sweep calls checkGpuFit for every width; the trainer calls it first.
 */
import type { MlpConfig } from '../model/config';
import { formatBytesApart } from '../model/units';

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
 * Null when the run fits; otherwise why not, naming the buffer, the limit, what the run needs and
 * what the device allows. `memoryBudgetBytes` bounds the total (device memory is not a WebGPU limit).
 */
export function checkGpuFit(
  config: Pick<MlpConfig, 'layers' | 'batch' | 'trainBatches' | 'optimizer'>,
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number },
  memoryBudgetBytes = Number.POSITIVE_INFINITY,
): string | null {
  const plan = gpuMemoryPlan(config);
  for (const limit of ['maxBufferSize', 'maxStorageBufferBindingSize'] as const) {
    const over = plan.buffers.find((b) => b.bytes > limits[limit]);
    if (over) {
      const [need, allowed] = formatBytesApart(over.bytes, limits[limit]);
      return `${over.name} need ${need}; ${limit} is ${allowed}`;
    }
  }
  if (plan.totalBytes > memoryBudgetBytes) {
    const [need, allowed] = formatBytesApart(plan.totalBytes, memoryBudgetBytes);
    return `the run needs ${need} of GPU memory in all; the memory budget is ${allowed}`;
  }
  return null;
}
