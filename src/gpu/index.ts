export { acquireDevice, describeAdapter, LIMITS_THAT_MATTER, WebGpuUnavailableError } from './device';
export type { AcquiredDevice, DeviceLimits, LimitName } from './device';
export { createGpuTrainer, GpuTrainer, STEPS_PER_SUBMIT } from './gpu-trainer';
export type { GpuTrainerOptions } from './gpu-trainer';
export { createGpuGridTrainer, GpuGridTrainer } from './grid-trainer';
export { MATMUL_VARIANTS, pickMatmul } from './kernels';
export type { MatmulChoice, MatmulVariant } from './kernels';
export { checkGpuFit, gpuMemoryPlan, maxGridModels } from './memory-plan';
export type { GpuMemoryPlan, PlannedBuffer } from './memory-plan';
