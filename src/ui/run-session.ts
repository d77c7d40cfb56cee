/**
 * One run as the page does it: acquire a fresh GPU device (when the GPU is asked for and
 * there is WebGPU), run the benchmark with cancel and streaming, optionally the λ = 0
 * baseline, and always give the device back. A lost device aborts the run with its reason;
 * the next run acquires a new one, so a crash never leaves the page stuck.
 */
import type { AdapterSummary, BenchResults } from '../bench/results';
import type { Backend, MlpConfig, Variant } from '../model/config';
import type { Dataset } from '../model/data';
import type { Trainer } from '../model/trainer';
import { createReferenceTrainer } from '../cpu/reference';
import { summarizeAdapter } from './gpu-probe';
import { runBenchmark as interimRunBenchmark } from './interim-runner';
import type { RunProgress } from './l2wd-run-controls';
import type { RunRequest } from './run-draft';

export type TrainerFactory = (config: MlpConfig, variant: Variant, data: Dataset) => Trainer | Promise<Trainer>;

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  limits: GPUSupportedLimits;
  hasTimestamps: boolean;
}

export interface RunnerOptions {
  config: MlpConfig;
  backends: Backend[];
  variants?: Variant[];
  sweep?: number[] | null;
  recordEvery?: number;
  maxSeconds?: number;
  cpuMaxWidth?: number;
  factories: Partial<Record<Backend, TrainerFactory>>;
  gpu: GpuContext | null;
}

export interface RunnerHooks {
  onProgress?(p: RunProgress): void;
  onPartial?(r: BenchResults): void;
  signal?: AbortSignal;
}

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

/** Thrown inside the run when the device is lost, so the runner unwinds at its next await. */
export class DeviceLostError extends Error {
  constructor(readonly info: string) {
    super(`The GPU device was lost (${info}).`);
    this.name = 'DeviceLostError';
  }
}

async function acquireGpu(): Promise<GpuContext | string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'This browser has no WebGPU, so the GPU backend is skipped; the CPU backends still run.';
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'The browser offered no WebGPU adapter, so the GPU backend is skipped; the CPU backends still run.';
  const hasTimestamps = adapter.features.has('timestamp-query');
  // Ask for the adapter's full buffer limits: the defaults (256 MiB / 128 MiB) would reject
  // large layers the hardware can hold.
  const device = await adapter.requestDevice({
    label: 'l2wd page device',
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  return { device, adapter: summarizeAdapter(adapter), limits: device.limits, hasTimestamps };
}

type RunBenchmark = (options: RunnerOptions, hooks?: RunnerHooks) => Promise<BenchResults>;

/*
 * The engine modules are written in parallel with the page. import.meta.glob resolves at
 * build time to the modules that exist (an empty record when one does not), so the page
 * builds and runs with whatever has landed and picks up the rest on the next build.
 * TODO(ui): static imports once src/gpu, src/cpu/fast.ts and src/bench/runner.ts exist.
 */
const RUNNER = import.meta.glob<{ runBenchmark?: RunBenchmark }>('../bench/runner.ts');
const FAST_CPU = import.meta.glob<{ createFastCpuTrainer?: TrainerFactory }>('../cpu/fast.ts');
const GPU = import.meta.glob<{
  createGpuTrainer?: (device: GPUDevice, config: MlpConfig, variant: Variant, data: Dataset) => Trainer | Promise<Trainer>;
}>('../gpu/index.ts');

async function load<T>(modules: Record<string, () => Promise<T>>): Promise<T | undefined> {
  const loader = Object.values(modules)[0];
  return loader ? loader() : undefined;
}

async function runner(): Promise<RunBenchmark> {
  return (await load(RUNNER))?.runBenchmark ?? interimRunBenchmark;
}

/** The trainers this build has; a backend without one is reported as skipped, never faked. */
async function factories(gpu: GpuContext | null): Promise<Partial<Record<Backend, TrainerFactory>>> {
  const out: Partial<Record<Backend, TrainerFactory>> = { reference: createReferenceTrainer };
  const fast = (await load(FAST_CPU))?.createFastCpuTrainer;
  if (fast) out.cpu = fast;
  const createGpuTrainer = (await load(GPU))?.createGpuTrainer;
  if (gpu && createGpuTrainer) out.gpu = (config, variant, data) => createGpuTrainer(gpu.device, config, variant, data);
  return out;
}

export async function runSession(request: RunRequest, hooks: SessionHooks): Promise<SessionOutcome> {
  let backends = [...request.backends];
  let gpu: GpuContext | null = null;
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(hooks.signal.reason);
  hooks.signal.addEventListener('abort', onOuterAbort);
  let lost: string | null = null;
  let results: BenchResults | null = null;
  let baseline: BenchResults | null = null;
  try {
    if (backends.includes('gpu')) {
      const got = await acquireGpu().catch((e: Error) => `Could not get a GPU device: ${e.message}. The CPU backends still run.`);
      if (typeof got === 'string') {
        hooks.onNotice(got);
        backends = backends.filter((b) => b !== 'gpu');
      } else {
        gpu = got;
        void gpu.device.lost.then((info) => {
          // destroy() at the end of a run also resolves `lost`; only a loss mid-run matters.
          if (info.reason === 'destroyed' && gpu === null) return;
          lost = `${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}`;
          inner.abort(new DeviceLostError(lost));
        });
      }
    }
    if (backends.length === 0) return { results: null, baseline: null, stopped: null };
    const options: RunnerOptions = { config: request.config, backends, sweep: request.sweep, factories: await factories(gpu), gpu };
    const runBenchmark = await runner();
    try {
      results = await runBenchmark(options, {
        onProgress: hooks.onProgress,
        onPartial: (r) => {
          results = r;
          hooks.onPartial(r);
        },
        signal: inner.signal,
      });
      hooks.onPartial(results);
    } catch (e) {
      if (!inner.signal.aborted) throw e;
    }
    if (!inner.signal.aborted && request.baseline && !request.sweep) {
      // At λ = 0 L2 and decay are the same rule: one variant on one backend is enough.
      const backend = backends[0];
      try {
        baseline = await runBenchmark(
          { ...options, config: { ...request.config, lambda: 0 }, backends: [backend], variants: ['l2'] },
          { signal: inner.signal, onProgress: (p) => hooks.onProgress({ ...p, label: `λ = 0 baseline · ${p.label}` }) },
        );
        hooks.onBaseline(baseline);
      } catch (e) {
        if (!inner.signal.aborted) throw e;
      }
    }
  } finally {
    hooks.signal.removeEventListener('abort', onOuterAbort);
    const device = gpu?.device;
    gpu = null;
    device?.destroy();
  }
  const stopped: SessionOutcome['stopped'] = lost
    ? { reason: 'device-lost', message: lost }
    : hooks.signal.aborted
      ? { reason: 'cancelled' }
      : null;
  return { results, baseline, stopped };
}
