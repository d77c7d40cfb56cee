/**
 * One run as the page does it: acquire a fresh GPU device (when the GPU is asked for and
 * there is WebGPU), run the benchmark with cancel and streaming, optionally the λ = 0
 * baseline, and always give the device back. A lost device aborts the run with its reason;
 * the next run acquires a new one, so a crash never leaves the page stuck.
 */
import type { BenchResults } from '../bench/results';
import type { GpuContext, RunnerOptions } from '../bench/runner';
import { defaultRecordEvery, runBenchmark } from '../bench/runner';
import { acquireGpuContext, trainerFactories } from '../bench/backends';
import type { RunProgress } from './l2wd-run-controls';
import type { RunRequest } from './run-draft';

export interface SessionHooks {
  onProgress(p: RunProgress): void;
  onPartial(r: BenchResults): void;
  onBaseline(r: BenchResults): void;
  /** Something the user should know that does not stop the run (no WebGPU: GPU skipped). */
  onNotice(text: string): void;
  signal: AbortSignal;
}

export interface SessionOutcome {
  results: BenchResults | null;
  baseline: BenchResults | null;
  /** Why the run stopped early: cancelled by the user, or the device was lost. */
  stopped: null | { reason: 'cancelled' } | { reason: 'device-lost'; message: string };
}

/** The abort reason when the device is lost, so the runner notes "stopped: …" rather than "cancelled". */
export class DeviceLostError extends Error {
  constructor(readonly info: string) {
    super(`the GPU device was lost (${info})`);
    this.name = 'DeviceLostError';
  }
}

export async function runSession(request: RunRequest, hooks: SessionHooks): Promise<SessionOutcome> {
  let gpu: GpuContext | null = null;
  let gpuUnavailableReason: string | undefined;
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(hooks.signal.reason);
  hooks.signal.addEventListener('abort', onOuterAbort);
  let lost: string | null = null;
  let finished = false;
  let results: BenchResults | null = null;
  let baseline: BenchResults | null = null;
  try {
    if (request.backends.includes('gpu')) {
      try {
        gpu = await acquireGpuContext((navigator as Navigator & { gpu?: GPU }).gpu);
        void gpu.device.lost.then((info) => {
          // destroy() at the end of a run resolves `lost` too; only a loss mid-run matters.
          if (finished) return;
          lost = `${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}`;
          inner.abort(new DeviceLostError(lost));
        });
      } catch (e) {
        gpuUnavailableReason = (e as Error).message;
        hooks.onNotice(`${gpuUnavailableReason} The GPU backend is skipped; the CPU backends still run.`);
      }
    }
    const options: RunnerOptions = {
      config: request.config,
      backends: request.backends,
      sweep: request.sweep,
      // The runner stops after the chunk in flight: at most 25 steps per chunk keeps Cancel and a
      // lost device answered within a few steps, at the cost of one more read-back per 25 steps.
      recordEvery: Math.min(defaultRecordEvery(request.config.steps), 25),
      factories: trainerFactories(gpu),
      gpu,
      gpuUnavailableReason,
      gpuMemoryBudgetBytes: pageMemoryBudget(gpu),
    };
    results = await runBenchmark(options, {
      onProgress: hooks.onProgress,
      onPartial: (r) => {
        results = r;
        hooks.onPartial(r);
      },
      signal: inner.signal,
    });
    hooks.onPartial(results);
    if (!inner.signal.aborted && request.baseline && !request.sweep) {
      // At λ = 0 L2 and decay are the same rule: one variant on one backend is enough, and
      // the first backend that really ran is the one whose curves the loss chart shows.
      const ran = request.backends.find((b) => results!.results.some((r) => r.backend === b && !r.skipped));
      if (ran) {
        baseline = await runBenchmark(
          { ...options, config: { ...request.config, lambda: 0 }, backends: [ran], variants: ['l2'] },
          { signal: inner.signal, onProgress: (p) => hooks.onProgress({ ...p, label: `λ = 0 baseline · ${p.label}` }) },
        );
        hooks.onBaseline(baseline);
      }
    }
  } finally {
    finished = true;
    hooks.signal.removeEventListener('abort', onOuterAbort);
    gpu?.device.destroy();
  }
  const stopped: SessionOutcome['stopped'] = lost
    ? { reason: 'device-lost', message: lost }
    : hooks.signal.aborted
      ? { reason: 'cancelled' }
      : null;
  return { results, baseline, stopped };
}

/**
 * The page's memory budget for the GPU backend, as the CLI has one: on a software adapter, whose
 * buffers are host memory, half the memory the browser reports (navigator.deviceMemory, in GiB,
 * rounded down and capped at 8 by Chrome; 4 GiB assumed where it is missing). On a GPU: none
 * (WebGPU reports no device memory; the device limits still apply).
 */
export function pageMemoryBudget(gpu: Pick<GpuContext, 'adapter'> | null, deviceMemoryGiB?: number): number | null {
  if (!gpu?.adapter.isFallbackAdapter) return null;
  const reported = deviceMemoryGiB ?? (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return ((typeof reported === 'number' && reported > 0 ? reported : 4) * 2 ** 30) / 2;
}
