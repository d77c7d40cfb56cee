/**
 * The grid run (docs/DESIGN.md, Grid): for each backend, each optimizer and both regularizers, a
 * heatmap of learning rate × strength — L2 over λ, decay over α in each convention chosen, and the
 * α/η decay heatmap's one-ulp twin (its pair's rounding floor). Every model of every heatmap
 * starts from the same initial weights and trains the same steps on the same data; the result is
 * the final train and validation loss and validation accuracy per cell, with time and
 * model-steps/s per heatmap. Progress and cancel as in the runner (src/bench/runner.ts).
 *
 * Browser-safe: no Node imports.
 */
import { decayAlpha } from '../model/config';
import type { Dataset } from '../model/data';
import { buildDataset } from './datasets';
import type { GridTrainer } from '../model/grid-trainer';
import type { MlpParameters } from '../model/parameters';
import { initialParameters } from '../model/parameters';
import { oneUlpTwin } from '../model/verdict';
import type { GridOptions, GridHooks, GridPlan, PlannedHeatmap } from './grid-plan';
import { planGrid } from './grid-plan';
import type { GridCell, GridHeatmap, GridRun } from './grid-results';
import type { BenchResults } from './results';
import { SCHEMA } from './results';
import { abortReason } from './run-state';

export type { GridOptions, GridHooks, GridTrainerFactory } from './grid-plan';
export { GridPlanError, planGrid } from './grid-plan';

/** Chunks per heatmap: progress and cancel points (each chunk is one `train` call of every model). */
const CHUNKS_PER_HEATMAP = 20;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function emptyHeatmap(h: PlannedHeatmap, skipped: string | null): GridHeatmap {
  return {
    backend: h.backend,
    engine: null,
    optimizer: h.optimizer,
    variant: h.variant,
    axis: h.axis,
    cells: [],
    twinValidationLoss: null,
    steps: 0,
    seconds: null,
    modelStepsPerSec: null,
    skipped,
  };
}

/** The results of a grid run: the schema's settings, no rows of the plain runner, and `grid`. */
function gridResults(plan: GridPlan, options: GridOptions): BenchResults {
  const gpu = options.gpu ?? null;
  const grid: GridRun = {
    lrs: plan.lrs,
    strengths: plan.strengths,
    optimizers: plan.optimizers,
    backends: plan.backends,
    conventions: plan.conventions,
    heatmaps: [],
  };
  return {
    schema: SCHEMA,
    createdAt: new Date().toISOString(),
    adapter: gpu?.adapter ?? null,
    limits: null,
    timestampCheck: gpu?.timestampCheck ?? null,
    config: { ...plan.config, alpha: decayAlpha(plan.config) },
    machine: options.machine ?? (typeof navigator !== 'undefined' ? navigator.userAgent : undefined),
    sweep: null,
    maxSeconds: options.maxSeconds ?? null,
    workers: options.workers ?? null,
    stopped: null,
    results: [],
    agreement: [],
    grid,
  };
}

/**
 * Runs the grid. Throws only for a grid refused up front (GridPlanError, ConfigError); a heatmap
 * whose trainer fails is marked skipped with the reason and the run goes on. On abort, or when the
 * time budget is spent, it returns what was measured with `stopped` saying why.
 */
export async function runGrid(options: GridOptions, hooks: GridHooks = {}): Promise<BenchResults> {
  const plan = planGrid(options);
  const started = performance.now();
  const deadline = options.maxSeconds == null ? Number.POSITIVE_INFINITY : started + options.maxSeconds * 1000;
  const results = gridResults(plan, options);
  const grid = results.grid!;
  const data: Dataset = buildDataset(plan.config, options.mnist);
  const init = initialParameters(plan.config);
  const twinInit = new Map<string, MlpParameters>();
  const models = plan.lrs.length * plan.strengths.length;
  const steps = plan.config.steps;
  const chunk = Math.max(1, Math.round(steps / CHUNKS_PER_HEATMAP));
  let done = 0;
  let label = '';
  let stop: string | null = null;
  const progress = () => {
    const elapsed = (performance.now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (plan.modelSteps - done) : null;
    hooks.onProgress?.({ done, total: plan.modelSteps, work: { done, total: plan.modelSteps }, label, etaSeconds: eta });
  };
  const stopReason = () => {
    if (hooks.signal?.aborted) return abortReason(hooks.signal);
    if (performance.now() > deadline) return `time budget of ${options.maxSeconds} s spent`;
    return null;
  };

  for (const h of plan.heatmaps) {
    const out = emptyHeatmap(h, null);
    // The plan puts a twin right after the decay heatmap it measures the floor of.
    const last = grid.heatmaps[grid.heatmaps.length - 1];
    const pairedDecay = h.twin && last?.backend === h.backend && last.optimizer === h.optimizer && last.axis === h.axis ? last : undefined;
    if (!h.twin) grid.heatmaps.push(out);
    label = `${h.backend} ${h.optimizer} ${h.variant}${h.variant === 'decay' ? ` (${h.axis})` : ''}${h.twin ? ' rounding twin' : ''}`;
    stop ??= stopReason();
    const factory = options.factories[h.backend];
    const why =
      stop ??
      (h.backend === 'gpu' && !options.gpu ? (options.gpuUnavailableReason ?? 'no WebGPU adapter') : null) ??
      (factory ? null : `the ${h.backend} backend is not available in this build`);
    if (why || !factory) {
      out.skipped = why;
      done += models * steps;
      progress();
      continue;
    }
    progress();
    const cfg = { ...plan.config, optimizer: h.optimizer };
    let trainer: GridTrainer | undefined;
    let trained = 0;
    try {
      trainer = await factory(cfg, h.variant, h.points, data, { workers: options.workers, signal: hooks.signal, twin: h.twin });
      out.engine = trainer.engine ?? h.backend;
      let start = init;
      if (h.twin) {
        const precision = h.backend === 'reference' ? 64 : 32;
        const key = `${precision}`;
        if (!twinInit.has(key)) twinInit.set(key, { weights: oneUlpTwin(init.weights, cfg.seed, precision), biases: init.biases.map((b) => b.slice()) });
        start = twinInit.get(key)!;
      }
      // One untimed step compiles pipelines and warms the JIT; the models then restart from the shared weights.
      await trainer.setParameters(start);
      await trainer.train(1);
      await trainer.setParameters(start);
      let seconds = 0;
      while (trained < steps) {
        const n = Math.min(chunk, steps - trained);
        const t0 = performance.now();
        await trainer.train(n);
        seconds += (performance.now() - t0) / 1000;
        trained += n;
        done += n * models;
        progress();
        await yieldToEventLoop();
        stop ??= stopReason();
        if (stop) break;
      }
      out.steps = trained;
      out.seconds = seconds;
      out.modelStepsPerSec = seconds > 0 ? (models * trained) / seconds : null;
      const evaluation = await trainer.evaluate();
      // A heatmap cut short is not shown: its cells would compare fewer steps with its pair's full run.
      if (trained < steps) out.skipped = `${stop}: stopped after ${trained} of ${steps} steps`;
      else if (h.twin) {
        if (pairedDecay && trained === steps) pairedDecay.twinValidationLoss = evaluation.map((e) => e.validation);
      } else
        out.cells = h.points.map((p, k): GridCell => ({
          lr: p.lr,
          strength: plan.strengths[k % plan.strengths.length],
          lambda: p.lambda,
          alpha: h.variant === 'l2' ? p.lr * p.lambda : p.alpha,
          trainLoss: evaluation[k].train,
          validationLoss: evaluation[k].validation,
          validationAccuracy: evaluation[k].validationAccuracy,
        }));
    } catch (e) {
      out.skipped = `failed: ${message(e)}`;
      out.cells = [];
    } finally {
      trainer?.dispose();
      done += (steps - trained) * models;
    }
    results.elapsedSeconds = (performance.now() - started) / 1000;
    hooks.onPartial?.(structuredClone(results));
  }
  progress();
  results.stopped = stop;
  results.elapsedSeconds = (performance.now() - started) / 1000;
  return results;
}
