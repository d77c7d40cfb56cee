/**
 * The three backends wired for the runner: the one place where trainers are chosen, so the
 * CLI and the page run the same engine the same way.
 */
import { createFastCpuTrainer } from '../cpu/fast';
import { createCpuTrainerInWorker } from '../cpu/remote-trainer';
import { createReferenceTrainer } from '../cpu/reference';
import { acquireDevice, createGpuGridTrainer, createGpuTrainer } from '../gpu/index';
import { BROWSER_IMPLEMENTATION } from '../gpu/adapter-summary';
import type { ImplementationInfo } from '../gpu/adapter-summary';
import { checkTimestamps } from '../gpu/timestamp-check';
import type { TimestampCheck } from '../gpu/timestamp-check';
import type { Backend } from '../model/config';
import type { FactoryExtras, GpuContext, TrainerFactory } from './runner';
import type { GridTrainerFactory } from './grid-plan';
import { SequentialGridTrainer } from './sequential-grid-trainer';

export { checkGpuFit, describeAdapter, gpuMemoryPlan } from '../gpu/index';
export { pageCpuEngine } from '../cpu/fast';

const IN_PAGE = typeof (globalThis as { window?: unknown }).window !== 'undefined';

/** Trainer factories for every backend; the GPU only when a device is at hand. */
export function trainerFactories(gpu: GpuContext | null): Partial<Record<Backend, TrainerFactory>> {
  const factories: Partial<Record<Backend, TrainerFactory>> = {
    reference: createReferenceTrainer,
    // In a page the CPU trainer lives in a worker, so the main thread never computes (no long tasks)
    // and Cancel can end a step in flight; Node blocks its own main thread, as a CLI may.
    cpu: (config, variant, data, extras) =>
      IN_PAGE
        ? createCpuTrainerInWorker(config, variant, data, { workers: extras?.workers, signal: extras?.signal, kernels: twinKernels(extras) })
        : createFastCpuTrainer(config, variant, data, { workers: extras?.workers, kernels: twinKernels(extras) }),
  };
  // Device time only where the timer check trusted it (docs/DESIGN.md, Timing).
  if (gpu)
    factories.gpu = (config, variant, data, extras) =>
      createGpuTrainer(gpu.device, config, variant, data, { timestamps: gpu.hasTimestamps, matmul: extras?.twin ? 'alternate' : 'auto' });
  return factories;
}

/**
 * Grid trainers for every backend (docs/DESIGN.md, Grid): the CPU backends run each single-model
 * trainer of `trainerFactories`, one point after another; the GPU trains all the points in one
 * dispatch per product (GpuGridTrainer, `batched`), its twin with the other matmul kernel.
 */
export function gridTrainerFactories(gpu: GpuContext | null): Partial<Record<Backend, GridTrainerFactory>> {
  const single = trainerFactories(gpu);
  const out: Partial<Record<Backend, GridTrainerFactory>> = {};
  for (const backend of Object.keys(single) as Backend[]) {
    const factory = single[backend]!;
    out[backend] = (config, variant, points, data, extras) => SequentialGridTrainer.create(factory, backend, config, variant, points, data, extras);
  }
  if (gpu) {
    const batched: GridTrainerFactory = (config, variant, points, data, extras) =>
      createGpuGridTrainer(gpu.device, config, variant, data, points, { timestamps: gpu.hasTimestamps, matmul: extras?.twin ? 'alternate' : 'auto' });
    batched.batched = true;
    out.gpu = batched;
  }
  return out;
}

/**
 * The rounding twin's CPU kernels: plain SIMD, whose separate multiply and add round where the
 * relaxed build's fused multiply-add does not (the same map, other rounding at every product).
 * Where relaxed SIMD is missing both are plain and only the twin's one-ulp start differs.
 */
function twinKernels(extras: FactoryExtras | undefined): 'plain' | undefined {
  return extras?.twin ? 'plain' : undefined;
}

/**
 * A fresh device as the runner wants it (throws, in words, when WebGPU or an adapter is missing).
 * `origin` names the implementation (a page's navigator.gpu: "browser"). When the device has
 * timestamp-query, one calibration pass checks its units against wall time; untrusted
 * timestamps are not used (`hasTimestamps` false) and the verdict goes into the results.
 * `check` is that calibration (a test passes a verdict to see how an untrusted timer is reported).
 */
export async function acquireGpuContext(
  gpu: GPU | undefined | null,
  origin: ImplementationInfo = BROWSER_IMPLEMENTATION,
  check: (device: GPUDevice) => Promise<TimestampCheck> = checkTimestamps,
): Promise<GpuContext> {
  const { device, adapter, limits, hasTimestamps } = await acquireDevice(gpu, {}, origin);
  const timestampCheck = hasTimestamps ? await check(device) : null;
  return { device, adapter, limits, hasTimestamps: timestampCheck?.trusted ?? false, timestampCheck };
}
