/**
 * One grid run as the page does it (docs/DESIGN.md, Grid: the page): a fresh GPU device when the
 * GPU is asked for, the grid with cancel and progress, and the device given back at the end, as
 * run-session.ts does for a plain run. A lost device aborts the grid with its reason.
 */
import { acquireGpuContext, gridTrainerFactories } from '../bench/backends';
import type { GridOptions, GridTrainerFactory } from '../bench/grid-run';
import { planGrid, runGrid } from '../bench/grid-run';
import type { DecayConvention } from '../bench/grid-results';
import type { BenchResults } from '../bench/results';
import type { GpuContext, RunProgress } from '../bench/run-plan';
import type { Backend, MlpConfig, OptimizerName } from '../model/config';
import { CPU_MAX_PARAMETERS } from './run-draft';
import { loadMnist } from './mnist-asset';
import { DeviceLostError, pageMemoryBudget } from './run-session';

export interface GridRequest {
  config: MlpConfig;
  backend: Backend;
  optimizers: OptimizerName[];
  lrs: number[];
  strengths: number[];
  conventions: DecayConvention[];
}

/** The grid's options, without a device: what the estimate plans with before Start. */
export function gridOptions(request: GridRequest, gpu: GpuContext | null = null): GridOptions {
  return {
    config: request.config,
    backends: [request.backend],
    optimizers: request.optimizers,
    lrs: request.lrs,
    strengths: request.strengths,
    conventions: request.conventions,
    factories: gridTrainerFactories(gpu),
    gpu,
    // One thread per CPU model: the sequential grid keeps a worker per model alive, and nested
    // kernel pools for each would multiply the tab's threads by the core count.
    workers: 1,
    maxSeconds: null,
    cpuMaxParameters: CPU_MAX_PARAMETERS,
    gpuMemoryBudgetBytes: pageMemoryBudget(gpu),
  };
}

/**
 * Predicted seconds before Start, when there is no device yet: the GPU priced as the trainer it
 * will get (gridTrainerFactories' GPU entry is batched, all models per dispatch), not as one
 * model at a time. Throws the planner's refusal (size, α, budget) like a run would.
 */
export function predictGridSeconds(request: GridRequest): number {
  const options = gridOptions(request);
  const priceOnly: GridTrainerFactory = () => Promise.reject(new Error('pricing only: no GPU device before Start'));
  priceOnly.batched = true;
  return planGrid({ ...options, factories: { ...options.factories, gpu: options.factories.gpu ?? priceOnly } }).predictedSeconds;
}

export async function runGridSession(request: GridRequest, hooks: { onProgress(p: RunProgress): void; signal: AbortSignal }): Promise<BenchResults> {
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(hooks.signal.reason);
  hooks.signal.addEventListener('abort', onOuterAbort);
  let gpu: GpuContext | null = null;
  let finished = false;
  try {
    if (request.backend === 'gpu') {
      gpu = await acquireGpuContext((navigator as Navigator & { gpu?: GPU }).gpu);
      void gpu.device.lost.then((info) => {
        if (!finished) inner.abort(new DeviceLostError(`${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}`));
      });
    }
    const mnist = request.config.dataset === 'mnist' ? await loadMnist() : null;
    return await runGrid({ ...gridOptions(request, gpu), mnist }, { onProgress: hooks.onProgress, signal: inner.signal });
  } finally {
    finished = true;
    hooks.signal.removeEventListener('abort', onOuterAbort);
    gpu?.device.destroy();
  }
}
