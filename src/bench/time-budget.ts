/**
 * The run's time budget: how it is shared among cells, which cells it refuses before they
 * start (from a prior or a measured rate), and how many steps a cell gets to fit its share.
 *
 * The budget is shared among the cells that can run and have not finished: half evenly
 * (small cells are bound by per-step overhead, not FLOPs), half in proportion to FLOPs per step
 * (large widths need more). Cells skipped up front take nothing; time a cell leaves unused
 * flows to the ones after it.
 *
 * Browser-safe: no Node imports.
 */
import type { Backend } from '../model/config';
import { matmulFlopsPerStep } from '../model/flops';
import { formatSeconds } from './format';
import type { RunPlan } from './run-plan';
import { staticSkip, sweepLayers } from './run-plan';
import type { Plan, WidthRun } from './run-state';
import { abortReason } from './run-state';

/** Throughput assumed before a backend has been measured, only to refuse absurd cells up front. */
const PRIOR_GFLOPS: Partial<Record<Backend, number>> = { reference: 0.3, cpu: 1 };
/** Priors are rough: refuse a cell on a prior only when it predicts this many times the budget. */
const PRIOR_SAFETY = 3;
/** A rate measured at a smaller width underestimates a larger one (efficiency grows with size): some slack. */
const MEASURED_SAFETY = 2;

export class TimeBudget {
  /** Cells that can run and have not finished, and their FLOPs per step summed. */
  private readonly pending = { count: 0, flops: 0 };
  /**
   * Best GFLOP/s each backend has shown (warm-ups and whole cells), where, and how many times it
   * was measured. The best, because noise (a GC pause, a busy machine) only ever slows a step.
   */
  private readonly measuredGflops = new Map<Backend, { gflops: number; width: number | null; count: number }>();

  constructor(private readonly plan: RunPlan) {
    const { config, widths, execution, cellsPerBackend } = plan;
    for (const width of widths) {
      const cfg = { ...config, layers: sweepLayers(config.layers, width) };
      for (const backend of execution)
        if (!staticSkip(plan, backend, cfg)) {
          this.pending.count += cellsPerBackend;
          this.pending.flops += cellsPerBackend * matmulFlopsPerStep(cfg.layers, cfg.batch);
        }
    }
  }

  /** Milliseconds a cell of `flops` per step may take from what is left (Infinity without a budget). */
  shareMs(flops: number): number {
    const left = this.plan.deadline - performance.now();
    if (this.pending.count <= 0 || this.pending.flops <= 0) return left;
    return left * (0.5 / this.pending.count + (0.5 * flops) / this.pending.flops);
  }

  /** A counted cell finished or was skipped: it no longer takes a share. */
  settle(flops: number): void {
    this.pending.count--;
    this.pending.flops -= flops;
  }

  /** Records a backend's rate (from a warm-up, or a cell's median step), for the cells after it. */
  measured(backend: Backend, gflops: number, width: number | null): void {
    if (!(gflops > 0 && Number.isFinite(gflops))) return;
    const known = this.measuredGflops.get(backend);
    const best = known && known.gflops >= gflops ? known : { gflops, width };
    this.measuredGflops.set(backend, { gflops: best.gflops, width: best.width, count: (known?.count ?? 0) + 1 });
  }

  /** Why a cell cannot run, decided without allocating; null when it may try. */
  preflight(w: WidthRun, backend: Backend): string | null {
    const { plan } = this;
    if (plan.signal?.aborted) return abortReason(plan.signal);
    if (performance.now() > plan.deadline) return `time budget of ${plan.maxSeconds} s spent`;
    const fixed = staticSkip(plan, backend, w.cfg);
    if (fixed) return fixed;
    // The backend already has a plan at this width (its other variant ran, or was refused): follow it.
    const existing = w.plans.get(backend);
    if (existing) return existing.skip;
    // Refuse a cell whose single step would already blow its share of the budget. A rate measured
    // once (one warm-up step, perhaps a noisy one) refuses nothing: the cell warms up and so
    // measures again, and its own plan decides; one slow sample must not skip every width after it.
    const known = this.measuredGflops.get(backend);
    const rate = known && known.count >= 2 ? known : undefined;
    const gflops = rate?.gflops ?? PRIOR_GFLOPS[backend];
    if (gflops && Number.isFinite(plan.deadline)) {
      // The least a cell can do: one warm-up step (when asked for) and one timed step.
      const least = Math.min(plan.warmupSteps, 1) + 1;
      const oneStepS = w.flopsPerStep / (gflops * 1e9);
      const shareS = this.shareMs(w.flopsPerStep) / 1000;
      const factor = rate ? MEASURED_SAFETY : PRIOR_SAFETY;
      if (oneStepS * least > shareS * factor) {
        // Decided once per backend and width, so its two variants are both run or both skipped.
        const skip = `over the time budget: ${least} steps would take ≈${formatSeconds(oneStepS * least)} (at ${gflops.toPrecision(2)} GFLOP/s${rate ? `, measured at ${rate.width === null ? 'the previous run' : `width ${rate.width}`}` : ', assumed'}), and ${formatSeconds(shareS)} are left for this cell`;
        w.plans.set(backend, { steps: 0, chunk: 1, note: null, skip });
        return skip;
      }
    }
    return null;
  }

  /** Fits a backend's steps at this width into its share of the time budget. */
  planSteps(w: WidthRun, perStepMs: number, recordMs: number): Plan {
    const { config, recordEvery, deadline, maxSeconds } = this.plan;
    const full: Plan = { steps: config.steps, chunk: Math.min(recordEvery, config.steps), note: null, skip: null };
    if (!Number.isFinite(deadline)) return full;
    // This cell's share of what is left (see shareMs; its warm-up is already paid), 80% of it:
    // step times wobble on a shared machine, and the last cell must end inside the budget.
    const availableMs = 0.8 * this.shareMs(w.flopsPerStep);
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
