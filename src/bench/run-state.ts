/**
 * The mutable state of one benchmark run (results so far, steps done, the progress label) and
 * of the width being run (its cells, step plans and agreement pairs). The runner's parts share
 * these objects instead of closing over locals.
 *
 * Browser-safe: no Node imports.
 */
import type { Backend, MlpConfig, Variant } from '../model/config';
import { decayAlpha, validationRowCount } from '../model/config';
import type { Dataset } from '../model/data';
import { float32Warnings } from '../model/float32-range';
import { matmulFlopsPerStep, recordedStepFlops } from '../model/flops';
import type { MlpParameters } from '../model/parameters';
import { initialParameters } from '../model/parameters';
import { oneUlpTwin } from '../model/verdict';
import { buildDataset } from './datasets';
import type { BenchResults, ResultRow } from './results';
import { SCHEMA } from './results';
import type { RunPlan, RunnerHooks } from './run-plan';
import { limitsRecord, sweepLayers } from './run-plan';
import { WorkMeter } from './work-meter';

/** One backend × variant at one width, while its width is being run. */
export interface Cell {
  backend: Backend;
  variant: Variant;
  row: ResultRow;
  /** Steps trained when it finished (undefined while running or when skipped). */
  finalStep?: number;
  finalWeights?: Float64Array[];
  /** Weights at step counts where another cell of this width stopped, to compare like with like. */
  checkpoints: Map<number, Float64Array[]>;
  /** The decay run's one-ulp twin, which measures the rounding floor (src/bench/rounding-floor.ts); its row is not in the results. */
  twin?: boolean;
}

/** Steps and chunk size decided for one backend at one width (shared by its variants, so they compare at the same step). */
export interface Plan {
  steps: number;
  chunk: number;
  note: string | null;
  skip: string | null;
}

/** Two cells of one width whose final weights are compared (b is the baseline). */
export interface Pair {
  a: [Backend, Variant];
  b: [Backend, Variant];
  done: boolean;
  /** Key of the twin cell whose gap to `b` is this pair's rounding floor (L2-vs-decay pairs only). */
  twin?: string;
}

export const cellKey = (backend: Backend, variant: Variant, twin = false) => `${backend}/${variant}${twin ? '/twin' : ''}`;
const meterKey = (width: number | null, cell: Pick<Cell, 'backend' | 'variant' | 'twin'>) => `${width}/${cellKey(cell.backend, cell.variant, cell.twin)}`;

export class CancelledError extends Error {
  override name = 'CancelledError';
}

/** "cancelled" for a plain abort, "stopped: why" when the signal was aborted with an Error. */
export function abortReason(signal: AbortSignal | undefined): string {
  const reason = signal?.reason as unknown;
  // AbortController.abort() with no argument gives a DOMException named AbortError: a plain cancel.
  if (reason instanceof Error && reason.name !== 'AbortError') return `stopped: ${reason.message}`;
  return 'cancelled';
}

/** The run as it goes: its results, the steps done (skipped cells count as done) and what is running. */
export class RunState {
  readonly results: BenchResults;
  /** Steps of the whole run: every cell at config.steps. */
  readonly total: number;
  done = 0;
  label = '';
  /** The same progress weighted by predicted work, for the bar and the time left. */
  readonly meter = new WorkMeter();

  constructor(
    readonly plan: RunPlan,
    private readonly hooks: RunnerHooks,
  ) {
    const { options, config, gpu } = plan;
    this.results = {
      schema: SCHEMA,
      createdAt: new Date().toISOString(),
      adapter: gpu?.adapter ?? null,
      limits: gpu ? limitsRecord(gpu.limits) : null,
      timestampCheck: gpu?.timestampCheck ?? null,
      config: { ...config, alpha: decayAlpha(config) },
      machine: options.machine ?? (typeof navigator !== 'undefined' ? navigator.userAgent : undefined),
      sweep: options.sweep?.length ? [...options.sweep] : null,
      maxSeconds: plan.maxSeconds,
      workers: options.workers ?? null,
      stopped: null,
      results: [],
      agreement: [],
    };
    // What float32 cannot hold of this configuration, said up front (the rows' notes say what happened).
    const warnings = float32Warnings(config);
    if (warnings.length > 0 && plan.backends.some((b) => b !== 'reference')) this.results.notes = warnings.map((w) => `float32: ${w}`);
    this.total = plan.widths.length * plan.execution.length * plan.cellsPerBackend * config.steps;
    for (const width of plan.widths) {
      // The meter prices each step with its share of the records' validation passes (measured rates are of steps alone).
      const flops = recordedStepFlops(sweepLayers(config.layers, width), config.batch, validationRowCount(config), plan.recordEvery);
      for (const backend of plan.execution) {
        const cells = [
          ...plan.variants.map((variant) => ({ backend, variant, twin: false })),
          ...(plan.twin ? [{ backend, variant: 'decay' as const, twin: true }] : []),
        ];
        for (const c of cells) this.meter.add(meterKey(width, c), backend, flops, config.steps);
      }
    }
  }

  /** `n` steps of a cell were trained. */
  trained(width: number | null, cell: Pick<Cell, 'backend' | 'variant' | 'twin'>, n: number): void {
    this.done += n;
    this.meter.trained(meterKey(width, cell), n);
  }

  /** `n` steps of a cell will not run (skipped, cut short, cancelled): done for the step count, out of the work. */
  dropped(width: number | null, cell: Pick<Cell, 'backend' | 'variant' | 'twin'>, n: number): void {
    this.done += n;
    this.meter.dropped(meterKey(width, cell), n);
  }

  get signal(): AbortSignal | undefined {
    return this.plan.signal;
  }

  /** Tells the caller the steps done, what is running and, from the pace so far, the time left. */
  progress(): void {
    const { started, deadline } = this.plan;
    const elapsed = (performance.now() - started) / 1000;
    const work = this.meter.work();
    // Predicted work left, scaled by how the prediction has held up so far (elapsed / predicted done).
    let eta: number | null = work.done > 0 ? (elapsed / work.done) * (work.total - work.done) : null;
    if (eta !== null && Number.isFinite(deadline)) eta = Math.min(eta, Math.max(0, (deadline - performance.now()) / 1000));
    this.hooks.onProgress?.({ done: this.done, total: this.total, work, label: this.label, etaSeconds: eta });
  }

  /** Copies of rows that no longer change (finished cells, agreement rows), made once and reused. */
  private readonly copies = new WeakMap<object, unknown>();
  private readonly settled = new WeakSet<ResultRow>();

  /** The cell of `row` is done: its row will not change again, so one copy serves every later partial. */
  settle(row: ResultRow): void {
    this.settled.add(row);
  }

  /**
   * Hands the caller a copy of the results so far. Incremental: only the row in flight is copied
   * each chunk (and it holds at most MAX_RECORDS_PER_ROW records); rows that are done, agreement
   * rows and the run's settings are copied once and the same copies are handed out again, so the
   * cost per chunk does not grow with the run. Treat a partial as read-only.
   */
  partial(): void {
    this.results.elapsedSeconds = (performance.now() - this.plan.started) / 1000;
    if (!this.hooks.onPartial) return;
    const r = this.results;
    this.hooks.onPartial({
      ...r,
      adapter: this.once(r.adapter),
      limits: this.once(r.limits),
      config: this.once(r.config),
      sweep: this.once(r.sweep ?? null),
      notes: r.notes && [...r.notes],
      results: r.results.map((row) => (this.settled.has(row) ? this.once(row) : structuredClone(row))),
      agreement: r.agreement.map((row) => this.once(row)),
    });
  }

  private once<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    let copy = this.copies.get(value);
    if (copy === undefined) this.copies.set(value, (copy = structuredClone(value)));
    return copy as T;
  }
}

/** One width of the run: its configuration, cells, per-backend step plans and agreement pairs. */
export class WidthRun {
  readonly cfg: MlpConfig;
  readonly flopsPerStep: number;
  /** Prefix of labels and notes: "width 64 · " in a sweep, "" otherwise. */
  readonly prefix: string;
  readonly cells = new Map<string, Cell>();
  readonly plans = new Map<Backend, Plan>();
  readonly pairs: Pair[] = [];
  private data: Dataset | null = null;
  private init: MlpParameters | null = null;
  private readonly twinInit = new Map<Backend, MlpParameters>();

  private readonly mnist: RunPlan['options']['mnist'];

  constructor(
    readonly width: number | null,
    plan: RunPlan,
  ) {
    this.mnist = plan.options.mnist;
    this.cfg = { ...plan.config, layers: sweepLayers(plan.config.layers, width) };
    this.flopsPerStep = matmulFlopsPerStep(this.cfg.layers, this.cfg.batch);
    this.prefix = width === null ? '' : `width ${width} · `;
    const { variants, backends } = plan;
    if (variants.includes('l2') && variants.includes('decay'))
      for (const b of backends) this.pairs.push({ a: [b, 'l2'], b: [b, 'decay'], done: false, twin: plan.twin ? cellKey(b, 'decay', true) : undefined });
    if (backends.includes('reference'))
      for (const b of backends) if (b !== 'reference') for (const v of variants) this.pairs.push({ a: [b, v], b: ['reference', v], done: false });
  }

  /** The dataset and initial parameters every cell of this width shares, made on first use. */
  shared(): { data: Dataset; init: MlpParameters } {
    this.data ??= buildDataset(this.cfg, this.mnist);
    this.init ??= initialParameters(this.cfg);
    return { data: this.data, init: this.init };
  }

  /** The twin's initial parameters: the shared ones with every weight one ulp away in the backend's precision. */
  sharedTwin(backend: Backend): MlpParameters {
    let p = this.twinInit.get(backend);
    if (!p) {
      const { init } = this.shared();
      p = { weights: oneUlpTwin(init.weights, this.cfg.seed, backend === 'reference' ? 64 : 32), biases: init.biases.map((b) => b.slice()) };
      this.twinInit.set(backend, p);
    }
    return p;
  }
}
