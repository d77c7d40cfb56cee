/** The CPU's WebAssembly kernels on a plain memory of their own, for tests that call them directly. */
import type { KernelExports, KernelFlavour } from '../../src/cpu/wasm-kernels';
import { instantiateKernels, kernelModule } from '../../src/cpu/wasm-kernels';

export function testKernels(floats: number, flavour: KernelFlavour): { exports: KernelExports; h: Float32Array } {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
  return { exports: instantiateKernels(kernelModule(false, flavour), memory), h: new Float32Array(memory.buffer) };
}
