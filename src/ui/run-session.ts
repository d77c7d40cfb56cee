/**
 * One run as the page does it: acquire a fresh GPU device (when the GPU is asked for and
 * there is WebGPU), run the benchmark with cancel and streaming, optionally the λ = 0
 * baseline, and always give the device back. A lost device aborts the run with its reason;
 * the next run acquires a new one, so a crash never leaves the page stuck.
 */
import type { BenchResults } from '../bench/results';
import type { GpuContext, RunProgress, RunnerOptions } from '../bench/runner';
import { defaultRecordEvery, runBenchmark } from '../bench/runner';
import { acquireGpuContext, trainerFactories } from '../bench/backends';
import { WorkMeter } from '../bench/work-meter';
import { matmulFlopsPerStep, recordedStepFlops } from '../model/flops';
import { validationRowCount } from '../model/config';
import { loadMnist } from './mnist-asset';
import type { RunRequest } from './run-draft';
import { CPU_MAX_PARAMETERS } from './run-draft';

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

/**
 * One bar for the whole session: the benchmark's progress plus the λ = 0 baseline's, the
 * baseline predicted (until it runs) from the main run's measured step time of its backend.
 */
class SessionProgress {
  private readonly started = performance.now();
  private baselineSteps: number;
  private readonly baselineMeter = new WorkMeter();
  private main: RunProgress | null = null;

  constructor(
    private readonly request: RunRequest,
    private readonly emit: (p: RunProgress) => void,
  ) {
    this.baselineSteps = request.baseline && !request.sweep ? request.config.steps : 0;
    this.baselineMeter.add('baseline', request.backends[0], this.flops, this.baselineSteps);
  }

  /** A baseline step's work with its share of the records' validation passes, for the meter. */
  private get flops(): number {
    const { config } = this.request;
    return recordedStepFlops(config.layers, config.batch, validationRowCount(config), pageRecordEvery(config.steps));
  }

  /** The main run's rows so far: the baseline's backend, once measured, prices the baseline. */
  measured(r: BenchResults): void {
    const row = r.results.find((x) => x.backend === this.request.backends[0] && x.wallStepMs);
    // The measured time is of training steps alone: their rate is of the step's own FLOPs.
    const { layers, batch } = this.request.config;
    if (row?.wallStepMs) this.baselineMeter.measured(row.backend, matmulFlopsPerStep(layers, batch), row.wallStepMs.median);
  }

  onMain(p: RunProgress): void {
    this.main = p;
    this.report(null);
  }

  /** The baseline will not run (cancelled, or no backend ran): its share leaves the bar. */
  noBaseline(): void {
    this.baselineMeter.dropped('baseline', this.baselineSteps);
    this.baselineSteps = 0;
    this.report(null);
  }

  report(baseline: RunProgress | null): void {
    const m = this.main ?? { done: 0, total: this.request.config.steps, work: { done: 0, total: 0 }, label: 'starting', etaSeconds: null };
    const workDone = m.work.done + (baseline?.work.done ?? 0);
    const workTotal = m.work.total + (baseline ? baseline.work.total : this.baselineMeter.work().total);
    const elapsed = (performance.now() - this.started) / 1000;
    this.emit({
      done: m.done + (baseline?.done ?? 0),
      total: m.total + this.baselineSteps,
      work: { done: workDone, total: workTotal },
      label: baseline ? `λ = 0 baseline · ${baseline.label}` : m.label,
      etaSeconds: workDone > 0 ? (elapsed / workDone) * (workTotal - workDone) : null,
    });
  }
}

/**
 * How often the page records: the runner stops after the chunk in flight, so at most 25 steps
 * per chunk keeps Cancel and a lost device answered within a few steps, at the cost of one more
 * read-back per 25 steps.
 */
export function pageRecordEvery(steps: number): number {
  return Math.min(defaultRecordEvery(steps), 25);
}

export async function runSession(request: RunRequest, hooks: SessionHooks): Promise<SessionOutcome> {
  const bar = new SessionProgress(request, hooks.onProgress);
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
    // The digits only when the run is on MNIST: the page never fetches 7.9 MB it does not use.
    const mnist = request.config.dataset === 'mnist' ? await loadMnist() : null;
    const options: RunnerOptions = {
      config: request.config,
      mnist,
      backends: request.backends,
      sweep: request.sweep,
      recordEvery: pageRecordEvery(request.config.steps),
      factories: trainerFactories(gpu),
      gpu,
      cpuMaxParameters: CPU_MAX_PARAMETERS,
      gpuUnavailableReason,
      gpuMemoryBudgetBytes: pageMemoryBudget(gpu),
    };
    results = await runBenchmark(options, {
      onProgress: (p) => bar.onMain(p),
      onPartial: (r) => {
        results = r;
        bar.measured(r);
        hooks.onPartial(r);
      },
      signal: inner.signal,
    });
    hooks.onPartial(results);
    // At λ = 0 L2 and decay are the same rule: one variant on one backend is enough, and
    // the first backend that really ran is the one whose curves the loss chart shows.
    const ran = request.backends.find((b) => results!.results.some((r) => r.backend === b && !r.skipped));
    if (!inner.signal.aborted && request.baseline && !request.sweep && ran) {
      baseline = await runBenchmark(
        { ...options, config: { ...request.config, lambda: 0 }, backends: [ran], variants: ['l2'] },
        { signal: inner.signal, onProgress: (p) => bar.report(p) },
      );
      hooks.onBaseline(baseline);
    } else bar.noBaseline();
  } finally {
    finished = true;
    hooks.signal.removeEventListener('abort', onOuterAbort);
    gpu?.device.destroy();
  }
  const stopped: SessionOutcome['stopped'] = lost ? { reason: 'device-lost', message: lost } : hooks.signal.aborted ? { reason: 'cancelled' } : null;
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
