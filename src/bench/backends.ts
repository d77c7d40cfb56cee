/**
 * The three backends wired for the runner: the one place where trainers are chosen, so the
 * CLI and the page run the same engine the same way.
 */
import { createFastCpuTrainer } from '../cpu/fast';
import { createReferenceTrainer } from '../cpu/reference';
import { acquireDevice, createGpuTrainer } from '../gpu/index';
import type { Backend } from '../model/config';
import type { GpuContext, TrainerFactory } from './runner';

export { checkGpuFit, describeAdapter, gpuMemoryPlan } from '../gpu/index';

/** Trainer factories for every backend; the GPU only when a device is at hand. */
export function trainerFactories(gpu: GpuContext | null): Partial<Record<Backend, TrainerFactory>> {
  const factories: Partial<Record<Backend, TrainerFactory>> = {
    reference: createReferenceTrainer,
    cpu: (config, variant, data, extras) => createFastCpuTrainer(config, variant, data, { workers: extras?.workers }),
  };
  if (gpu) factories.gpu = (config, variant, data) => createGpuTrainer(gpu.device, config, variant, data);
  return factories;
}

/** A fresh device as the runner wants it (throws, in words, when WebGPU or an adapter is missing). */
export async function acquireGpuContext(gpu: GPU | undefined | null): Promise<GpuContext> {
  const { device, adapter, limits, hasTimestamps } = await acquireDevice(gpu);
  return { device, adapter, limits, hasTimestamps };
}
