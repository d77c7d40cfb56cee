/**
 * What a grid run is asked to do, checked and settled before anything runs (docs/DESIGN.md,
 * Grid): the options, the heatmaps in the order they run, each heatmap's points, and the size and
 * time-budget errors that refuse a grid up front.
 *
 * Browser-safe: no Node imports.
 */
import type { Backend, MlpConfig, OptimizerName, Variant } from '../model/config';
import { BACKENDS, OPTIMIZERS, validateConfig } from '../model/config';
import type { Dataset } from '../model/data';
import type { MnistImages } from '../model/mnist';
import { matmulFlopsPerStep } from '../model/flops';
import type { GridPoint, GridTrainer } from '../model/grid-trainer';
import { formatSeconds } from './format';
import { LR_AXIS, MAX_AXIS_VALUES, STRENGTH_AXIS } from './grid-axes';
import type { DecayConvention, StrengthAxis } from './grid-results';
import { DECAY_CONVENTIONS } from './grid-results';
import { checkGpuFit } from '../gpu/memory-plan';
import type { BenchResults } from './results';
import type { FactoryExtras, GpuContext, RunProgress } from './run-plan';
import { cpuSizeProblem, limitsRecord } from './run-plan';
import { PRIOR_STEP_RATES } from './work-meter';

/** Makes the grid trainer of one heatmap (src/bench/backends.ts wires one per backend). */
export interface GridTrainerFactory {
  (config: MlpConfig, variant: Variant, points: readonly GridPoint[], data: Dataset, extras?: FactoryExtras): Promise<GridTrainer>;
  /** Trains every model in one dispatch per step (the GPU's), so a step's overhead is paid once, not per model. */
  batched?: boolean;
}

export interface GridOptions {
  /** Shape, data, steps, optimizer settings; its lr, lambda and optimizer are replaced per heatmap and point. */
  config: MlpConfig;
  backends: readonly Backend[];
  /** Optimizers to grid; default [config.optimizer]. */
  optimizers?: readonly OptimizerName[];
  /** Learning rates (rows), ascending and distinct (src/bench/grid-axes.ts parses them). */
  lrs: readonly number[];
  /** λ values, or α values in the `alpha` convention (columns), ascending and distinct. */
  strengths: readonly number[];
  /** Decay conventions to run, each its own heatmap; default both. */
  conventions?: readonly DecayConvention[];
  factories: Partial<Record<Backend, GridTrainerFactory>>;
  /** For the extras (GPU fit is the grid trainer's own check). */
  gpu?: GpuContext | null;
  /** Why there is no GPU, for its skipped heatmaps. */
  gpuUnavailableReason?: string;
  /** The MNIST digits (parsed asset), needed when config.dataset is mnist (src/bench/datasets.ts). */
  mnist?: MnistImages | null;
  /** Seconds for the whole grid; refused up front when the prediction is over it, stopped when spent. Null: none. */
  maxSeconds?: number | null;
  /** The CPU size rule of a plain run (src/bench/run-plan.ts, cpuSizeProblem); null: none. */
  cpuMaxWidth?: number | null;
  cpuMaxParameters?: number | null;
  /** GPU memory all the models of a heatmap may use together (a sequential grid keeps each model's trainer). Null: none. */
  gpuMemoryBudgetBytes?: number | null;
  workers?: number;
  machine?: string;
}

export interface GridHooks {
  /** Model-steps done of all (`work` the same: every model-step of a grid costs alike). */
  onProgress?(p: RunProgress): void;
  /** The results so far (a copy), after every heatmap: what the CLI rewrites to --json/--csv as it goes and writes on a signal. */
  onPartial?(r: BenchResults): void;
  /** Abort to cancel: the grid stops after the chunk in flight; heatmaps not finished are marked skipped. */
  signal?: AbortSignal;
}

/** A grid that is refused before anything runs: the message names the value and what is allowed. */
export class GridPlanError extends Error {
  override name = 'GridPlanError';
}

/** One heatmap to run (or the α/η decay heatmap's one-ulp twin, which measures its pair's rounding floor). */
export interface PlannedHeatmap {
  backend: Backend;
  optimizer: OptimizerName;
  variant: Variant;
  axis: StrengthAxis;
  points: GridPoint[];
  twin: boolean;
}

export interface GridPlan {
  config: MlpConfig;
  backends: Backend[];
  optimizers: OptimizerName[];
  conventions: DecayConvention[];
  lrs: number[];
  strengths: number[];
  heatmaps: PlannedHeatmap[];
  /** Model-steps of the whole run (twins included). */
  modelSteps: number;
  /** Predicted seconds from the backends' prior rates and set-up costs (assumed, not measured: a loaded machine takes longer). */
  predictedSeconds: number;
}

/** The points of one heatmap, row-major over lrs × strengths. */
export function gridPoints(axis: StrengthAxis, lrs: readonly number[], strengths: readonly number[]): GridPoint[] {
  const points: GridPoint[] = [];
  for (const lr of lrs) for (const s of strengths) points.push(axis === 'alpha' ? { lr, lambda: s / lr, alpha: s } : { lr, lambda: s, alpha: lr * s });
  return points;
}

function checkAxis(values: readonly number[], what: string, allowZero: boolean): number[] {
  if (!Array.isArray(values) || values.length < 1 || values.length > MAX_AXIS_VALUES)
    throw new GridPlanError(`${what}: give 1 to ${MAX_AXIS_VALUES} values (found ${Array.isArray(values) ? values.length : 'none'})`);
  values.forEach((v, i) => {
    if (!(typeof v === 'number' && Number.isFinite(v) && (allowZero ? v >= 0 : v > 0)))
      throw new GridPlanError(`${what}[${i}] = ${String(v)}: must be a finite number ${allowZero ? '≥ 0' : '> 0'}`);
    if (i > 0 && !(v > values[i - 1])) throw new GridPlanError(`${what}: values must be ascending and distinct (${values[i - 1]} then ${v})`);
  });
  return [...values];
}

/**
 * Seconds to make one model's trainer, assumed (the slow end): a GPU trainer's buffers and bind
 * groups, a CPU trainer's memory and threads. A sequential grid pays it per model, a batched one
 * once per heatmap; on a loaded 2-core machine a 9-model SwiftShader heatmap paid ~0.5 s per model.
 */
const PRIOR_SETUP_SECONDS: Readonly<Record<Backend, number>> = { gpu: 0.5, cpu: 0.1, reference: 0.001 };

/** Predicted seconds of one heatmap from the prior rates: per model, or once per step for a batched trainer. */
function predictSeconds(backend: Backend, batched: boolean, models: number, steps: number, flopsPerStep: number): number {
  const rate = PRIOR_STEP_RATES[backend];
  const msPerModelStep = flopsPerStep / (rate.gflops * 1e6);
  const ms = batched ? steps * (rate.overheadMs + models * msPerModelStep) : models * steps * (rate.overheadMs + msPerModelStep);
  return ms / 1000 + PRIOR_SETUP_SECONDS[backend] * (batched ? 1 : models);
}

/** Validates and settles a grid; throws GridPlanError (or the config's ConfigError) naming what is wrong. */
export function planGrid(options: GridOptions): GridPlan {
  const config = validateConfig(options.config);
  const lrs = checkAxis(options.lrs, 'learning rates', LR_AXIS.allowZero);
  const strengths = checkAxis(options.strengths, 'strengths', STRENGTH_AXIS.allowZero);
  const optimizers = [...new Set(options.optimizers?.length ? options.optimizers : [config.optimizer])];
  for (const o of optimizers)
    if (!OPTIMIZERS.includes(o)) throw new GridPlanError(`optimizer ${JSON.stringify(o)}: must be one of ${OPTIMIZERS.join(', ')}`);
  const conventions = [...new Set(options.conventions?.length ? options.conventions : DECAY_CONVENTIONS)];
  for (const c of conventions)
    if (!DECAY_CONVENTIONS.includes(c)) throw new GridPlanError(`decay convention ${JSON.stringify(c)}: must be one of ${DECAY_CONVENTIONS.join(', ')}`);
  const backends = [...new Set(options.backends)];
  if (backends.length === 0) throw new GridPlanError('no backend to run: give at least one of gpu, cpu, reference');
  for (const b of backends) if (!BACKENDS.includes(b)) throw new GridPlanError(`backend ${JSON.stringify(b)}: must be one of ${BACKENDS.join(', ')}`);

  // Decay multiplies w by 1 − α each step: α ≥ 1 flips or zeroes every weight, no regularizer at all.
  const worstAlpha = (c: DecayConvention) => (c === 'alpha' ? strengths.at(-1)! : lrs.at(-1)! * strengths.at(-1)!);
  for (const c of conventions)
    if (worstAlpha(c) >= 1)
      throw new GridPlanError(
        c === 'alpha'
          ? `strength ${strengths.at(-1)} as α (convention alpha): the per-step decay α must be below 1`
          : `learning rate ${lrs.at(-1)} × strength ${strengths.at(-1)} = α ${worstAlpha(c)} (convention alpha-over-lr): α = η·λ must be below 1`,
      );

  const models = lrs.length * strengths.length;
  for (const backend of backends) {
    if (backend !== 'gpu') {
      const tooBig = cpuSizeProblem(config.layers, options);
      if (tooBig) throw new GridPlanError(`the ${backend} backend cannot run this grid: ${tooBig}`);
    } else if (options.gpu) {
      // A batched trainer holds every model in one set of buffers (the grid's memory plan); otherwise
      // one trainer per model, all alive, each with its share of the budget.
      const batched = options.factories.gpu?.batched === true;
      const total = options.gpuMemoryBudgetBytes ?? undefined;
      const budget = batched || total === undefined ? total : total / models;
      const limits = limitsRecord(options.gpu.limits) as Parameters<typeof checkGpuFit>[1];
      const why = checkGpuFit(config, limits, budget, { hostCopies: options.gpu.adapter.isFallbackAdapter, ...(batched ? { models } : {}) });
      if (why) throw new GridPlanError(`the GPU cannot hold the grid's ${models} models${budget === undefined ? '' : ' in its memory budget'}: ${why}`);
    }
  }

  const heatmaps: PlannedHeatmap[] = [];
  for (const backend of backends)
    for (const optimizer of optimizers) {
      const add = (variant: Variant, axis: StrengthAxis, twin = false) =>
        heatmaps.push({ backend, optimizer, variant, axis, points: gridPoints(axis, lrs, strengths), twin });
      add('l2', 'lambda');
      for (const c of conventions) {
        add('decay', c);
        if (c === 'alpha-over-lr') add('decay', c, true);
      }
    }
  const flops = matmulFlopsPerStep(config.layers, config.batch);
  const modelSteps = heatmaps.length * models * config.steps;
  const predictedSeconds = heatmaps.reduce(
    (s, h) => s + predictSeconds(h.backend, options.factories[h.backend]?.batched === true, models, config.steps, flops),
    0,
  );
  const maxSeconds = options.maxSeconds ?? null;
  if (maxSeconds !== null && !(maxSeconds > 0)) throw new GridPlanError(`maxSeconds = ${maxSeconds}: must be a number > 0, or null for none`);
  if (maxSeconds !== null && predictedSeconds > maxSeconds)
    throw new GridPlanError(
      `the grid (${heatmaps.length} heatmaps of ${lrs.length} × ${strengths.length} models, ${config.steps} steps each) is predicted to take ` +
        `${formatSeconds(predictedSeconds)} at assumed rates, over the time budget of ${formatSeconds(maxSeconds)}: ` +
        'use fewer values, fewer steps or backends, or a larger budget',
    );
  return { config, backends, optimizers, conventions, lrs, strengths, heatmaps, modelSteps, predictedSeconds };
}
