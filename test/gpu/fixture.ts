/**
 * GPU test fixtures in the manner of webgpu-utils and the CTS: a real device on a real adapter
 * (SwiftShader on GPU-less machines), error scopes around each test, everything destroyed after.
 */
import { implementationLabel } from '../../src/gpu/adapter-summary';
import type { AcquiredDevice, DeviceLimits } from '../../src/gpu/device';
import { acquireDevice } from '../../src/gpu/device';
import type { NodeGpu } from '../../src/gpu/node-gpu';
import { createNodeGpu } from '../../src/gpu/node-gpu';

let nodeGpu: NodeGpu | null = null;
let announced = false;

/** The process's WebGPU instance (Dawn on Node, wgpu on Deno); a clear failure when none can be had (CI never skips). */
export async function gpuInstance(): Promise<NodeGpu> {
  if (!nodeGpu) nodeGpu = await createNodeGpu();
  return nodeGpu;
}

/** "dawn (vulkan)" or "wgpu (vulkan)": which implementation these tests run on (after a device was opened). */
export function gpuImplementation(): string {
  return nodeGpu ? implementationLabel(nodeGpu) : 'none yet';
}

export async function openDevice(need: Partial<DeviceLimits> = {}): Promise<AcquiredDevice> {
  const instance = await gpuInstance();
  const acquired = await acquireDevice(instance.gpu, need, instance);
  if (!announced) {
    announced = true;
    const a = acquired.adapter;
    console.log(
      `GPU tests on ${implementationLabel(a)}, adapter: ${a.vendor} ${a.architecture} ${a.description}${a.isFallbackAdapter ? ' (software fallback)' : ''}`.replace(
        /\s+/g,
        ' ',
      ),
    );
  }
  return acquired;
}

/**
 * Runs `body` with a fresh device inside validation and out-of-memory scopes; fails on any
 * error either scope caught, then destroys the device.
 */
export async function withDevice<T>(body: (gpu: AcquiredDevice) => Promise<T>, need: Partial<DeviceLimits> = {}): Promise<T> {
  const acquired = await openDevice(need);
  const { device } = acquired;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  try {
    const result = await body(acquired);
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (validation) throw new Error(`WebGPU validation error: ${validation.message}`);
    if (oom) throw new Error(`WebGPU out-of-memory error: ${oom.message}`);
    return result;
  } finally {
    device.destroy();
  }
}

/** Copies a buffer into a fresh MAP_READ buffer and returns a copy (the mapped view dies on unmap). */
export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, bytes = buffer.size): Promise<Float32Array> {
  const staging = device.createBuffer({ label: 'test.readBuffer', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = new Float32Array(staging.getMappedRange()).slice();
  staging.unmap();
  staging.destroy();
  return copy;
}

/** A storage buffer holding `values`, padded to 16 bytes. */
export function storageBuffer(device: GPUDevice, label: string, values: ArrayLike<number>): GPUBuffer {
  const size = Math.max(16, Math.ceil((values.length * 4) / 16) * 16);
  const b = device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(b, 0, Float32Array.from(values));
  return b;
}

/** A storage buffer of n floats filled with NaN, so an element the kernel fails to write shows. */
export function poisonedBuffer(device: GPUDevice, label: string, n: number): GPUBuffer {
  return storageBuffer(device, label, new Float32Array(n).fill(Number.NaN));
}

/** Drops the WebGPU instance so the test process can exit. */
export function releaseGpu(): void {
  nodeGpu?.release();
  nodeGpu = null;
}
