/**
 * What a benchmark run is asked to do, checked and settled before anything runs: the options
 * and hooks the runner takes, the validated configuration, backends, variants and widths, and
 * why a cell can never run (device, build, limits, host memory).
 *
 * Browser-safe: no Node imports.
 */
import type { Backend, MlpConfig, Variant } from '../model/config';
import { BACKENDS, MAX_WIDTH, VARIANTS, parameterCount, validateConfig } from '../model/config';
import type { Dataset } from '../model/data';
import type { MnistImages } from '../model/mnist';
import type { Trainer } from '../model/trainer';
import { checkGpuFit } from '../gpu/memory-plan';
import { formatBytesApart } from '../model/units';
import { buildDataset } from './datasets';
import type { AdapterSummary, BenchResults, TimestampCheck } from './results';
import { MAX_RECORDS_PER_ROW } from './results';

/** Extra settings a factory may use (the fast CPU backend's worker count). */
export interface FactoryExtras {
  workers?: number;
  /** The run's abort signal: a trainer that can end a call in flight (the page's CPU worker) listens to it. */
  signal?: AbortSignal;
  /**
   * The cell is the rounding twin (src/bench/rounding-floor.ts): the trainer computes the same
   * map with its products summed in another order (other kernels), so rounding alone moves it.
   */
  twin?: boolean;
}

export type TrainerFactory = (config: MlpConfig, variant: Variant, data: Dataset, extras?: FactoryExtras) => Trainer | Promise<Trainer>;

/** Limits as WebGPU reports them, or a plain record of the ones that matter. */
export type LimitsLike = GPUSupportedLimits | Record<string, number>;

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  limits: LimitsLike;
  /** The device has `timestamp-query` and its units were trusted: GPU step times are device time, not wall. */
  hasTimestamps: boolean;
  /** The calibration of timestamp-query against wall time (src/gpu/timestamp-check.ts); null when not done. */
  timestampCheck?: TimestampCheck | null;
}

/** Why a configuration cannot run on the GPU, or null; decided before anything is allocated. */
export type GpuFitCheck = (
  config: MlpConfig,
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number },
  memoryBudgetBytes?: number,
  options?: { hostCopies?: boolean },
) => string | null;

export interface RunnerOptions {
  /** The run's configuration (validated again here; `alpha` is derived, never taken from input). */
  config: MlpConfig;
  /** Any subset of gpu, cpu, reference; rows come out in this order. */
  backends: readonly Backend[];
  /** Default both: l2 and decay. */
  variants?: readonly Variant[];
  /** Hidden widths to sweep (each replaces every hidden width in turn); null or empty: no sweep. */
  sweep?: readonly number[] | null;
  /** Record norms and losses every k steps; each k-step chunk is one timing sample. Default ≈ steps/50. */
  recordEvery?: number;
  /** Time budget of the whole run in seconds; cells get fewer steps (or are skipped) to fit it. Null: none. */
  maxSeconds?: number | null;
  /** CPU backends (cpu, reference) are skipped when the widest layer exceeds this. Null: no limit. */
  cpuMaxWidth?: number | null;
  /** CPU backends (cpu, reference) are skipped when the model has more parameters (the page's tab limit). Null: none. */
  cpuMaxParameters?: number | null;
  factories: Partial<Record<Backend, TrainerFactory>>;
  /** The GPU device to run on; null when there is no WebGPU adapter (GPU cells are skipped). */
  gpu: GpuContext | null;
  /** Why `gpu` is null, for the skipped GPU rows (default "no WebGPU adapter"). */
  gpuUnavailableReason?: string;
  /** Worker threads for the fast CPU backend, passed to its factory. */
  workers?: number;
  /** Total GPU memory a run may use (WebGPU does not report device memory). Null: no budget. */
  gpuMemoryBudgetBytes?: number | null;
  /** The GPU fit check; default: the GPU engine's when it is in the build, else an estimate here. */
  checkGpuFit?: GpuFitCheck;
  /** Untimed warm-up steps per cell (pipeline compilation, lazy zeroing, JIT). Default 2. */
  warmupSteps?: number;
  /** The MNIST digits (parsed asset), needed when config.dataset is mnist; the caller loads them (src/bench/datasets.ts). */
  mnist?: MnistImages | null;
  /** Largest float64 host copy of the shared initial parameters, in bytes. Default 2 GiB. */
  hostParameterBytesMax?: number;
  /** Names the host that ran the CPU backends; default navigator.userAgent where there is one. */
  machine?: string;
  /** Records a row keeps at most (older ones are thinned); 2 to MAX_RECORDS_PER_ROW, the default. */
  maxRecords?: number;
}

export interface RunProgress {
  /** Training steps done (skipped cells count as done). */
  done: number;
  total: number;
  /** Predicted seconds of work trained and in all (work-meter.ts): what the bar shows, as done / total. */
  work: { done: number; total: number };
  /** What is running, named from the moment it starts (warm-up included). */
  label: string;
  /** Seconds left, from the pace so far, capped by the time budget; null before the first step. */
  etaSeconds: number | null;
}

export interface RunnerHooks {
  onProgress?(p: RunProgress): void;
  /** Results so far, after every chunk and every width (a copy: keep it). */
  onPartial?(r: BenchResults): void;
  /** Abort to cancel: the runner stops after the chunk in flight and returns what it measured. */
  signal?: AbortSignal;
}

/** Reference first, then cpu, then gpu: the slowest runs first, so faster backends can snapshot
 * their weights at the step count the slow one reached (see `checkpoints`). */
const EXECUTION_ORDER: readonly Backend[] = ['reference', 'cpu', 'gpu'];

export const DEFAULT_HOST_PARAMETER_BYTES_MAX = 2 * 1024 ** 3;

/** Norms and losses ≈ 50 times per run: enough points for the charts, few enough to keep reads out of the way. */
export function defaultRecordEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 50));
}

/** Replaces every hidden width by `width` (what a sweep does); input and output stay. */
export function sweepLayers(layers: readonly number[], width: number | null): number[] {
  if (width === null) return [...layers];
  return layers.map((n, i) => (i === 0 || i === layers.length - 1 ? n : width));
}

/** Null when the sweep is usable with these layers, else why not. */
export function sweepError(layers: readonly number[], sweep: readonly number[] | null | undefined): string | null {
  if (!sweep || sweep.length === 0) return null;
  if (layers.length < 3) return `a sweep replaces the hidden widths, and layers ${layers.join(',')} have none (give at least input,hidden,output)`;
  const bad = sweep.find((w) => !(Number.isInteger(w) && w >= 1 && w <= MAX_WIDTH));
  return bad === undefined ? null : `sweep width ${bad} must be an integer from 1 to ${MAX_WIDTH}`;
}

/** A plain record of the numeric limits (GPUSupportedLimits keeps them as prototype getters, which spread drops). */
export function limitsRecord(limits: LimitsLike): Record<string, number> {
  const out: Record<string, number> = {};
  const source = limits as unknown as Record<string, unknown>;
  for (const key in source) if (typeof source[key] === 'number') out[key] = source[key] as number;
  for (const key of [
    'maxBufferSize',
    'maxStorageBufferBindingSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupsPerDimension',
  ])
    if (typeof source[key] === 'number') out[key] = source[key] as number;
  return out;
}

/** The run's settled inputs: everything the loop reads and nothing it changes. */
export interface RunPlan {
  options: RunnerOptions;
  config: MlpConfig;
  variants: Variant[];
  /** In the caller's order (rows come out in it). */
  backends: Backend[];
  /** The same backends, slowest first (the order cells run in). */
  execution: Backend[];
  /** Widths to run; [null] outside a sweep. */
  widths: (number | null)[];
  recordEvery: number;
  maxSeconds: number | null;
  /** performance.now() when the run started, and when its time budget ends (Infinity: none). */
  started: number;
  deadline: number;
  warmupSteps: number;
  maxRecords: number;
  hostMax: number;
  /** Both variants run, so each backend also runs the decay variant's one-ulp twin to measure the rounding floor. */
  twin: boolean;
  /** Cells each backend runs per width: its variants, plus the twin. */
  cellsPerBackend: number;
  fit: GpuFitCheck;
  gpu: GpuContext | null;
  signal: AbortSignal | undefined;
}

/** Validates the options and settles the run; throws for a bad configuration, sweep, backend or variant. */
export function planRun(options: RunnerOptions, signal: AbortSignal | undefined): RunPlan {
  const started = performance.now();
  const { alpha: _ignored, ...input } = options.config as MlpConfig & { alpha?: number };
  void _ignored;
  const config = validateConfig(input);
  // Before any cell: a run on MNIST without the digits would fail in every cell alike.
  if (config.dataset === 'mnist' && !options.mnist) buildDataset(config, options.mnist);
  const problem = sweepError(config.layers, options.sweep);
  if (problem) throw new Error(problem);
  const variants = dedupe(options.variants?.length ? options.variants : VARIANTS);
  for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`variant ${JSON.stringify(v)}: must be one of ${VARIANTS.join(', ')}`);
  const backends = dedupe(options.backends);
  for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`backend ${JSON.stringify(b)}: must be one of ${BACKENDS.join(', ')}`);
  if (backends.length === 0) throw new Error('no backend to run: give at least one of gpu, cpu, reference');
  const recordEvery = options.recordEvery ?? defaultRecordEvery(config.steps);
  if (!(Number.isInteger(recordEvery) && recordEvery >= 1)) throw new Error(`recordEvery = ${recordEvery}: must be an integer ≥ 1`);
  const maxRecords = options.maxRecords ?? MAX_RECORDS_PER_ROW;
  if (!(Number.isInteger(maxRecords) && maxRecords >= 2 && maxRecords <= MAX_RECORDS_PER_ROW))
    throw new Error(`maxRecords = ${maxRecords}: must be an integer from 2 to ${MAX_RECORDS_PER_ROW}`);
  const maxSeconds = options.maxSeconds ?? null;
  if (maxSeconds !== null && !(maxSeconds > 0)) throw new Error(`maxSeconds = ${maxSeconds}: must be a number > 0`);
  const twin = variants.includes('l2') && variants.includes('decay');
  return {
    options,
    config,
    variants,
    twin,
    cellsPerBackend: variants.length + (twin ? 1 : 0),
    backends,
    execution: EXECUTION_ORDER.filter((b) => backends.includes(b)),
    widths: options.sweep?.length ? [...options.sweep] : [null],
    recordEvery,
    maxSeconds,
    started,
    deadline: maxSeconds === null ? Number.POSITIVE_INFINITY : started + maxSeconds * 1000,
    warmupSteps: options.warmupSteps ?? 2,
    maxRecords,
    hostMax: options.hostParameterBytesMax ?? DEFAULT_HOST_PARAMETER_BYTES_MAX,
    fit: options.checkGpuFit ?? checkGpuFit,
    gpu: options.gpu,
    signal,
  };
}

/**
 * The one CPU size rule (CLI: widest layer; page: parameters a tab can hold): why the CPU
 * backends must not train `layers`, or null.
 */
export function cpuSizeProblem(layers: readonly number[], limits: Pick<RunnerOptions, 'cpuMaxWidth' | 'cpuMaxParameters'>): string | null {
  const widest = Math.max(...layers);
  if (limits.cpuMaxWidth != null && widest > limits.cpuMaxWidth)
    return `widest layer ${widest} is over the CPU width limit of ${limits.cpuMaxWidth} (cpuMaxWidth)`;
  const n = parameterCount(layers);
  if (limits.cpuMaxParameters != null && n > limits.cpuMaxParameters)
    return `${n.toLocaleString('en-US')} parameters is over the CPU limit of ${limits.cpuMaxParameters.toLocaleString('en-US')} in a browser tab`;
  return null;
}

/** Why a cell can never run, from what is known up front (device, build, limits, host memory). */
export function staticSkip(plan: RunPlan, backend: Backend, cfg: MlpConfig): string | null {
  const { options, gpu } = plan;
  if (backend === 'gpu' && !gpu) return options.gpuUnavailableReason ?? 'no WebGPU adapter';
  if (!options.factories[backend]) return `the ${backend} backend is not available in this build`;
  if (backend !== 'gpu') {
    const tooBig = cpuSizeProblem(cfg.layers, options);
    if (tooBig) return tooBig;
  }
  if (backend === 'gpu' && gpu) {
    const limits = limitsRecord(gpu.limits) as { maxBufferSize: number; maxStorageBufferBindingSize: number };
    // WebGPU reports no device memory: the budget, when given, bounds the engine's planned total.
    // A software adapter's buffers are host memory: the host's own copies count against the same budget.
    const why = plan.fit(cfg, limits, options.gpuMemoryBudgetBytes ?? undefined, { hostCopies: gpu.adapter.isFallbackAdapter });
    if (why) return why;
  }
  // After the backend's own limits, which say more about the device than the host's copy does.
  const parameterBytes = parameterCount(cfg.layers) * 8;
  if (parameterBytes > plan.hostMax) {
    const [need, allowed] = formatBytesApart(parameterBytes, plan.hostMax);
    return `the shared initial parameters (${(parameterCount(cfg.layers) / 1e6).toFixed(0)} M) need ${need} of host memory in float64; the limit is ${allowed}`;
  }
  return null;
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
