/**
 * The benchmark runner: for each swept width, each backend and each variant it creates a
 * trainer, warms it up, resets it to the shared initial parameters, trains in timed chunks,
 * records norms and losses, and compares the final weights (RULES.md "Agreement").
 *
 * Browser-safe: no Node imports. The page and the CLI both call `runBenchmark`; trainers come
 * in through factories so the runner knows no backend's internals.
 */
import type { Backend, MlpConfig, Variant } from '../model/config';
import { BACKENDS, MAX_WIDTH, VARIANTS, decayAlpha, parameterCount, validateConfig } from '../model/config';
import type { Dataset } from '../model/data';
import { makeDataset } from '../model/data';
import { matmulFlopsPerStep } from '../model/flops';
import { agreement, normGap } from '../model/metrics';
import type { MlpParameters } from '../model/parameters';
import { initialParameters } from '../model/parameters';
import type { Trainer } from '../model/trainer';
import { formatBytes, formatSeconds } from './format';
import type { AdapterSummary, AgreementRow, BenchResults, ResultRow, TimestampCheck } from './results';
import { SCHEMA } from './results';
import { checkGpuFit } from '../gpu/memory-plan';
import { spread } from './stats';

/** Extra settings a factory may use (the fast CPU backend's worker count). */
export interface FactoryExtras {
  workers?: number;
}

export type TrainerFactory = (
  config: MlpConfig,
  variant: Variant,
  data: Dataset,
  extras?: FactoryExtras,
) => Trainer | Promise<Trainer>;

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
  /** Largest float64 host copy of the shared initial parameters, in bytes. Default 2 GiB. */
  hostParameterBytesMax?: number;
  /** Names the host that ran the CPU backends; default navigator.userAgent where there is one. */
  machine?: string;
}

export interface RunProgress {
  /** Training steps done (skipped cells count as done). */
  done: number;
  total: number;
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

/** Throughput assumed before a backend has been measured, only to refuse absurd cells up front. */
const PRIOR_GFLOPS: Partial<Record<Backend, number>> = { reference: 0.3, cpu: 1 };
/** Priors are rough: refuse a cell on a prior only when it predicts this many times the budget. */
const PRIOR_SAFETY = 3;
/** A rate measured at a smaller width underestimates a larger one (efficiency grows with size): some slack. */
const MEASURED_SAFETY = 2;

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
  for (const key of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'])
    if (typeof source[key] === 'number') out[key] = source[key] as number;
  return out;
}

/** One backend × variant at one width, while its width is being run. */
interface Cell {
  backend: Backend;
  variant: Variant;
  row: ResultRow;
  /** Steps trained when it finished (undefined while running or when skipped). */
  finalStep?: number;
  finalWeights?: Float64Array[];
  /** Weights at step counts where another cell of this width stopped, to compare like with like. */
  checkpoints: Map<number, Float64Array[]>;
}

/** Steps and chunk size decided for one backend at one width (shared by its variants, so they compare at the same step). */
interface Plan {
  steps: number;
  chunk: number;
  note: string | null;
  skip: string | null;
}

interface Pair {
  a: [Backend, Variant];
  b: [Backend, Variant];
  done: boolean;
}

const key = (backend: Backend, variant: Variant) => `${backend}/${variant}`;

function emptyRow(width: number | null, backend: Backend, variant: Variant): ResultRow {
  return {
    width, backend, variant,
    stepMs: null, timer: null, samplesPerSec: null, gflops: null, finalLoss: null,
    norms: [], skipped: null,
    normSteps: [], trainLoss: [], validationLoss: [], finalValidationLoss: null, nonFiniteAtStep: null,
    steps: 0, chunkSteps: 0, warmupSteps: 0, wallStepMs: null, note: null,
  };
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason = signal?.reason as unknown;
  // AbortController.abort() with no argument gives a DOMException named AbortError: a plain cancel.
  if (reason instanceof Error && reason.name !== 'AbortError') return `stopped: ${reason.message}`;
  return 'cancelled';
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs the benchmark. Never throws for a cell's failure (the row says why it was skipped);
 * throws only for a bad configuration or sweep. On abort it returns what was measured, with
 * cells that did not run marked skipped "cancelled".
 */
export async function runBenchmark(options: RunnerOptions, hooks: RunnerHooks = {}): Promise<BenchResults> {
  const started = performance.now();
  const { alpha: _ignored, ...input } = options.config as MlpConfig & { alpha?: number };
  void _ignored;
  const config = validateConfig(input);
  const problem = sweepError(config.layers, options.sweep);
  if (problem) throw new Error(problem);
  const variants = dedupe(options.variants?.length ? options.variants : VARIANTS);
  for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`variant ${JSON.stringify(v)}: must be one of ${VARIANTS.join(', ')}`);
  const backends = dedupe(options.backends);
  for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`backend ${JSON.stringify(b)}: must be one of ${BACKENDS.join(', ')}`);
  if (backends.length === 0) throw new Error('no backend to run: give at least one of gpu, cpu, reference');
  const recordEvery = options.recordEvery ?? defaultRecordEvery(config.steps);
  if (!(Number.isInteger(recordEvery) && recordEvery >= 1)) throw new Error(`recordEvery = ${recordEvery}: must be an integer ≥ 1`);
  const maxSeconds = options.maxSeconds ?? null;
  if (maxSeconds !== null && !(maxSeconds > 0)) throw new Error(`maxSeconds = ${maxSeconds}: must be a number > 0`);
  const deadline = maxSeconds === null ? Number.POSITIVE_INFINITY : started + maxSeconds * 1000;
  const warmupSteps = options.warmupSteps ?? 2;
  const hostMax = options.hostParameterBytesMax ?? DEFAULT_HOST_PARAMETER_BYTES_MAX;
  const fit = options.checkGpuFit ?? checkGpuFit;
  const gpu = options.gpu;
  const signal = hooks.signal;
  const widths: (number | null)[] = options.sweep?.length ? [...options.sweep] : [null];
  const execution = EXECUTION_ORDER.filter((b) => backends.includes(b));

  const results: BenchResults = {
    schema: SCHEMA,
    createdAt: new Date().toISOString(),
    adapter: gpu?.adapter ?? null,
    limits: gpu ? limitsRecord(gpu.limits) : null,
    timestampCheck: gpu?.timestampCheck ?? null,
    config: { ...config, alpha: decayAlpha(config) },
    machine: options.machine ?? (typeof navigator !== 'undefined' ? navigator.userAgent : undefined),
    sweep: options.sweep?.length ? [...options.sweep] : null,
    maxSeconds,
    workers: options.workers ?? null,
    stopped: null,
    results: [],
    agreement: [],
  };

  const cellsTotal = widths.length * execution.length * variants.length;
  const total = cellsTotal * config.steps;
  let done = 0;
  let label = '';
  const progress = () => {
    const elapsed = (performance.now() - started) / 1000;
    let eta: number | null = done > 0 ? (elapsed / done) * (total - done) : null;
    if (eta !== null && Number.isFinite(deadline)) eta = Math.min(eta, Math.max(0, (deadline - performance.now()) / 1000));
    hooks.onProgress?.({ done, total, label, etaSeconds: eta });
  };
  const partial = () => {
    results.elapsedSeconds = (performance.now() - started) / 1000;
    hooks.onPartial?.(structuredClone(results));
  };
  /** Measured GFLOP/s of each backend so far (from warm-up), to predict the next width. */
  const measuredGflops = new Map<Backend, { gflops: number; width: number | null }>();

  /** Why a cell can never run, from what is known up front (device, build, limits, host memory). */
  const staticSkip = (backend: Backend, cfg: MlpConfig): string | null => {
    if (backend === 'gpu' && !gpu) return options.gpuUnavailableReason ?? 'no WebGPU adapter';
    if (!options.factories[backend]) return `the ${backend} backend is not available in this build`;
    const widest = Math.max(...cfg.layers);
    if (backend !== 'gpu' && options.cpuMaxWidth != null && widest > options.cpuMaxWidth)
      return `widest layer ${widest} is over the CPU width limit of ${options.cpuMaxWidth} (cpuMaxWidth)`;
    if (backend === 'gpu' && gpu) {
      const limits = limitsRecord(gpu.limits) as { maxBufferSize: number; maxStorageBufferBindingSize: number };
      // WebGPU reports no device memory: the budget, when given, bounds the engine's planned total.
      const why = fit(cfg, limits, options.gpuMemoryBudgetBytes ?? undefined);
      if (why) return why;
    }
    // After the backend's own limits, which say more about the device than the host's copy does.
    const parameterBytes = parameterCount(cfg.layers) * 8;
    if (parameterBytes > hostMax)
      return `the shared initial parameters (${(parameterCount(cfg.layers) / 1e6).toFixed(0)} M) need ${formatBytes(parameterBytes)} of host memory in float64; the limit is ${formatBytes(hostMax)}`;
    return null;
  };

  /*
   * The time budget is shared among the cells that can run and have not finished: half evenly
   * (small cells are bound by per-step overhead, not FLOPs), half in proportion to FLOPs per step
   * (large widths need more). Cells skipped up front take nothing; time a cell leaves unused
   * flows to the ones after it.
   */
  const pending = { count: 0, flops: 0 };
  for (const width of widths) {
    const cfg: MlpConfig = { ...config, layers: sweepLayers(config.layers, width) };
    for (const backend of execution)
      if (!staticSkip(backend, cfg)) {
        pending.count += variants.length;
        pending.flops += variants.length * matmulFlopsPerStep(cfg.layers, cfg.batch);
      }
  }
  const shareMs = (flops: number): number => {
    const left = deadline - performance.now();
    if (pending.count <= 0 || pending.flops <= 0) return left;
    return left * (0.5 / pending.count + (0.5 * flops) / pending.flops);
  };

  for (const width of widths) {
    const cfg: MlpConfig = { ...config, layers: sweepLayers(config.layers, width) };
    const flopsPerStep = matmulFlopsPerStep(cfg.layers, cfg.batch);
    const prefix = width === null ? '' : `width ${width} · `;
    const cells = new Map<string, Cell>();
    const plans = new Map<Backend, Plan>();
    const pairs: Pair[] = [];
    if (variants.includes('l2') && variants.includes('decay'))
      for (const b of backends) pairs.push({ a: [b, 'l2'], b: [b, 'decay'], done: false });
    if (backends.includes('reference'))
      for (const b of backends) if (b !== 'reference') for (const v of variants) pairs.push({ a: [b, v], b: ['reference', v], done: false });

    let data: Dataset | null = null;
    let init: MlpParameters | null = null;
    const shared = () => {
      data ??= makeDataset(cfg);
      init ??= initialParameters(cfg);
      return { data, init };
    };

    /** Why a cell cannot run, decided without allocating; null when it may try. */
    const preflight = (backend: Backend): string | null => {
      if (signal?.aborted) return abortReason(signal);
      if (performance.now() > deadline) return `time budget of ${maxSeconds} s spent`;
      const fixed = staticSkip(backend, cfg);
      if (fixed) return fixed;
      // The backend already has a plan at this width (its other variant ran, or was refused): follow it.
      const plan = plans.get(backend);
      if (plan) return plan.skip;
      // Refuse a cell whose single step would already blow its share of the budget.
      const rate = measuredGflops.get(backend);
      const gflops = rate?.gflops ?? PRIOR_GFLOPS[backend];
      if (gflops && Number.isFinite(deadline)) {
        // The least a cell can do: one warm-up step (when asked for) and one timed step.
        const least = Math.min(warmupSteps, 1) + 1;
        const oneStepS = flopsPerStep / (gflops * 1e9);
        const shareS = shareMs(flopsPerStep) / 1000;
        const factor = rate ? MEASURED_SAFETY : PRIOR_SAFETY;
        if (oneStepS * least > shareS * factor) {
          // Decided once per backend and width, so its two variants are both run or both skipped.
          const skip = `over the time budget: ${least} steps would take ≈${formatSeconds(oneStepS * least)} (at ${gflops.toPrecision(2)} GFLOP/s${rate ? `, measured at ${rate.width === null ? 'the previous run' : `width ${rate.width}`}` : ', assumed'}), and ${formatSeconds(shareS)} are left for this cell`;
          plans.set(backend, { steps: 0, chunk: 1, note: null, skip });
          return skip;
        }
      }
      return null;
    };

    const pairIndex = (r: AgreementRow) =>
      pairs.findIndex((p) => key(...p.a) === key(r.a.backend, r.a.variant) && key(...p.b) === key(r.b.backend, r.b.variant));
    const finishPairs = () => {
      for (const pair of pairs) {
        if (pair.done) continue;
        const a = cells.get(key(...pair.a));
        const b = cells.get(key(...pair.b));
        const settled = (c: Cell | undefined) => c !== undefined && (c.row.skipped !== null || c.finalStep !== undefined);
        if (!settled(a) || !settled(b)) continue;
        pair.done = true;
        if (a!.finalStep === undefined || b!.finalStep === undefined) continue;
        const row = compare(width, a!, b!);
        if (row) {
          // In the order of `pairs` (the caller's backend order), not the order cells finished in.
          const index = pairs.indexOf(pair);
          const later = results.agreement.findIndex((r) => r.width === width && pairIndex(r) > index);
          results.agreement.splice(later < 0 ? results.agreement.length : later, 0, row);
        }
        else
          (results.notes ??= []).push(
            `${prefix}${pair.a.join(' ')} vs ${pair.b.join(' ')} not compared: they stopped at steps ${a!.finalStep} and ${b!.finalStep} and neither kept weights at the other's step`,
          );
      }
      // Drop weights no pending comparison needs: at large widths they are hundreds of MB each.
      for (const cell of cells.values()) {
        const needed = pairs.some((p) => !p.done && (key(...p.a) === key(cell.backend, cell.variant) || key(...p.b) === key(cell.backend, cell.variant)));
        if (!needed) {
          cell.finalWeights = undefined;
          cell.checkpoints.clear();
        }
      }
    };

    for (const backend of execution) {
      for (const variant of variants) {
        const row = emptyRow(width, backend, variant);
        const cell: Cell = { backend, variant, row, checkpoints: new Map() };
        cells.set(key(backend, variant), cell);
        results.results.push(row);
        label = `${prefix}${backend} ${variant}`;
        const counted = staticSkip(backend, cfg) === null;
        const skip = preflight(backend);
        const settle = () => {
          if (!counted) return;
          pending.count--;
          pending.flops -= flopsPerStep;
        };
        if (skip) {
          settle();
          row.skipped = skip;
          done += config.steps;
          finishPairs();
          progress();
          partial();
          continue;
        }
        try {
          await runCell(cell);
        } finally {
          settle();
        }
        finishPairs();
        partial();
      }
    }
    // Rows of this width in the caller's backend order (they ran slowest first).
    const first = results.results.length - cells.size;
    const ordered = results.results.slice(first).sort(
      (p, q) => backends.indexOf(p.backend) - backends.indexOf(q.backend) || variants.indexOf(p.variant) - variants.indexOf(q.variant),
    );
    results.results.splice(first, ordered.length, ...ordered);
    partial();

    async function runCell(cell: Cell): Promise<void> {
      const { backend, variant, row } = cell;
      let trainer: Trainer | undefined;
      let trained = 0;
      let planned = config.steps;
      try {
        const { data: d, init: p0 } = shared();
        trainer = await options.factories[backend]!(cfg, variant, d, { workers: options.workers });
        // Warm-up: the first steps pay for pipeline compilation, lazy buffer zeroing and JIT.
        // They also give the step-time estimate that sizes this cell to the time budget.
        let perStepMs = 0;
        let warmedUp = 0;
        if (warmupSteps > 0) {
          let t = performance.now();
          await trainer.train(1);
          perStepMs = performance.now() - t;
          warmedUp = 1;
          // A step that already takes a tenth of the cell's share has amortised its compilation:
          // more warm-up would only eat the budget.
          if (warmupSteps > 1 && perStepMs < 0.1 * shareMs(flopsPerStep)) {
            t = performance.now();
            await trainer.train(warmupSteps - 1);
            perStepMs = (performance.now() - t) / (warmupSteps - 1);
            warmedUp = warmupSteps;
          }
          row.warmupSteps = warmedUp;
          measuredGflops.set(backend, { gflops: flopsPerStep / (perStepMs * 1e6), width });
        }
        // Reading norms and losses once warms their pipelines too; the second read is what a
        // record costs from then on (the first can be hundreds of ms of shader compilation).
        await trainer.norms();
        await trainer.losses();
        let t = performance.now();
        await trainer.norms();
        await trainer.losses();
        const recordMs = performance.now() - t;
        // Every backend and variant starts from the same weights, optimizer state zero, step 0.
        await trainer.setParameters(p0);
        if (signal?.aborted) throw new CancelledError();

        let plan = plans.get(backend);
        if (!plan) {
          plan = planSteps(perStepMs, recordMs);
          plans.set(backend, plan);
        }
        if (plan.skip) {
          row.skipped = plan.skip;
          done += config.steps;
          return;
        }
        planned = plan.steps;
        row.note = plan.note;
        row.chunkSteps = plan.chunk;
        // Chunk boundaries: every `chunk` steps, plus the steps where other cells of this width
        // stopped, so this one can keep its weights there for a like-for-like comparison.
        const others = [...cells.values()].map((c) => c.finalStep).filter((s): s is number => s !== undefined && s > 0 && s < planned);
        const boundaries = new Set<number>(others);
        for (let s = plan.chunk; s < planned; s += plan.chunk) boundaries.add(s);
        boundaries.add(planned);
        const checkpoints = new Set(others);

        const wallMs: number[] = [];
        const deviceMs: number[] = [];
        let allDevice = backend === 'gpu' && gpu?.hasTimestamps === true;
        for (const boundary of [...boundaries].sort((x, y) => x - y)) {
          if (signal?.aborted) {
            row.note = `${abortReason(signal)} after ${trained} of ${planned} steps`;
            break;
          }
          if (performance.now() > deadline) {
            row.note = `stopped after ${trained} of ${planned} steps: time budget of ${maxSeconds} s spent`;
            break;
          }
          const n = boundary - trained;
          t = performance.now();
          const timing = await trainer.train(n);
          wallMs.push((performance.now() - t) / n);
          if (timing.deviceMs !== undefined && Number.isFinite(timing.deviceMs)) deviceMs.push(timing.deviceMs / n);
          else allDevice = false;
          trained = boundary;
          done += n;
          const norms = await trainer.norms();
          const losses = await trainer.losses();
          row.norms.push(norms);
          row.normSteps!.push(trained);
          row.trainLoss!.push(losses.train);
          row.validationLoss!.push(losses.validation);
          row.finalLoss = losses.train;
          row.finalValidationLoss = losses.validation;
          row.steps = trained;
          if (checkpoints.has(trained)) cell.checkpoints.set(trained, (await trainer.getParameters()).weights);
          // Mixing device and wall samples would make the spread meaningless: one timer per row.
          const useDevice = allDevice && deviceMs.length === wallMs.length;
          const step = spread(useDevice ? deviceMs : wallMs);
          row.stepMs = step;
          row.wallStepMs = spread(wallMs);
          row.timer = useDevice ? 'timestamp-query' : 'wall';
          row.samplesPerSec = (cfg.batch * 1000) / step.median;
          row.gflops = flopsPerStep / (step.median * 1e6);
          label = `${prefix}${backend} ${variant} · step ${trained}/${planned}`;
          if (![...norms, losses.train, losses.validation].every(Number.isFinite)) {
            row.nonFiniteAtStep = trained;
            row.note = `NaN/Inf first seen at step ${trained} (recorded every ${plan.chunk}); the cell stopped there`;
            break;
          }
          progress();
          partial();
          await yieldToEventLoop();
        }
        if (trained === 0) {
          row.skipped = signal?.aborted ? abortReason(signal) : `time budget of ${maxSeconds} s spent`;
        } else {
          cell.finalStep = trained;
          cell.finalWeights = (await trainer.getParameters()).weights;
        }
      } catch (e) {
        if (e instanceof CancelledError || signal?.aborted) {
          if (trained === 0) row.skipped = abortReason(signal);
          else row.note = `${abortReason(signal)} after ${trained} of ${planned} steps`;
        } else if (trained === 0) {
          row.skipped = `failed: ${message(e)}`;
        } else {
          row.note = `failed after ${trained} steps: ${message(e)}`;
        }
        row.stepMs ??= null;
      } finally {
        trainer?.dispose();
        done += planned - trained + (config.steps - planned);
        progress();
      }
    }

    /** Fits a backend's steps at this width into its share of the time budget. */
    function planSteps(perStepMs: number, recordMs: number): Plan {
      const full: Plan = { steps: config.steps, chunk: Math.min(recordEvery, config.steps), note: null, skip: null };
      if (!Number.isFinite(deadline)) return full;
      // This cell's share of what is left (see shareMs; its warm-up is already paid), 80% of it:
      // step times wobble on a shared machine, and the last cell must end inside the budget.
      const availableMs = 0.8 * shareMs(flopsPerStep);
      const stepsFor = (chunk: number) => Math.floor(availableMs / (perStepMs + recordMs / chunk));
      let steps = stepsFor(full.chunk);
      if (steps >= config.steps) return full;
      // Fewer steps: shrink the chunk too, so there are still several timing samples.
      let chunk = Math.max(1, Math.min(recordEvery, Math.floor(steps / 5)));
      steps = Math.min(config.steps, stepsFor(chunk));
      chunk = Math.max(1, Math.min(chunk, steps));
      if (steps < 1)
        return {
          ...full,
          skip: `over the time budget: one step takes ≈${formatSeconds(perStepMs / 1000)} and ${formatSeconds(Math.max(0, availableMs) / 1000)} are left for this cell`,
        };
      return { steps, chunk, note: `ran ${steps} of ${config.steps} steps to fit the time budget (${maxSeconds} s for the run)`, skip: null };
    }
  }

  if (signal?.aborted) results.stopped = abortReason(signal);
  else if (results.results.some((r) => r.skipped?.startsWith('time budget') || r.note?.includes('time budget of')))
    results.stopped = `time budget of ${maxSeconds} s spent`;
  results.elapsedSeconds = (performance.now() - started) / 1000;
  return results;
}

class CancelledError extends Error {
  override name = 'CancelledError';
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Weights of a cell at step s (its final weights or a checkpoint), or undefined. */
function weightsAt(cell: Cell, s: number): Float64Array[] | undefined {
  return cell.finalStep === s ? cell.finalWeights : cell.checkpoints.get(s);
}

/** The agreement row of RULES.md for a vs b (b the baseline), at the last step both reached. */
function compare(width: number | null, a: Cell, b: Cell): AgreementRow | null {
  const s = Math.min(a.finalStep!, b.finalStep!);
  const wa = weightsAt(a, s);
  const wb = weightsAt(b, s);
  if (!wa || !wb) return null;
  const g = agreement(wa, wb);
  const history: number[][] = [];
  const historySteps: number[] = [];
  const bIndex = new Map((b.row.normSteps ?? []).map((step, i) => [step, i]));
  (a.row.normSteps ?? []).forEach((step, i) => {
    const j = bIndex.get(step);
    if (j === undefined || step > s) return;
    historySteps.push(step);
    history.push(a.row.norms[i].map((n, l) => normGap(n, b.row.norms[j][l])));
  });
  return {
    width,
    a: { backend: a.backend, variant: a.variant },
    b: { backend: b.backend, variant: b.variant },
    normGap: g.normGap,
    weightGap: g.weightGap,
    normGapHistory: history,
    historySteps,
    step: s,
  };
}
