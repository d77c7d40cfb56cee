/**
 * The benchmark runner: for each swept width, each backend and each variant it creates a
 * trainer, warms it up, resets it to the shared initial parameters, trains in timed chunks,
 * records norms and losses, and compares the final weights (docs/RULES.md, Agreement).
 *
 * The parts: run-plan.ts settles the options, time-budget.ts shares the budget among cells,
 * run-cell.ts runs one cell, agreement-pairs.ts compares them; run-state.ts holds what they share.
 *
 * Browser-safe: no Node imports. The page and the CLI both call `runBenchmark`; trainers come
 * in through factories so the runner knows no backend's internals.
 */
import { finishPairs } from './agreement-pairs';
import type { BenchResults } from './results';
import { emptyRow } from './results';
import { runCell } from './run-cell';
import type { RunnerHooks, RunnerOptions } from './run-plan';
import { planRun, staticSkip } from './run-plan';
import type { Cell } from './run-state';
import { RunState, WidthRun, abortReason, cellKey } from './run-state';
import { TimeBudget } from './time-budget';

export type { FactoryExtras, GpuContext, GpuFitCheck, LimitsLike, RunProgress, RunnerHooks, RunnerOptions, TrainerFactory } from './run-plan';
export { DEFAULT_HOST_PARAMETER_BYTES_MAX, defaultRecordEvery, limitsRecord, sweepError, sweepLayers } from './run-plan';

/**
 * Runs the benchmark. Never throws for a cell's failure (the row says why it was skipped);
 * throws only for a bad configuration or sweep. On abort it returns what was measured, with
 * cells that did not run marked skipped "cancelled".
 */
export async function runBenchmark(options: RunnerOptions, hooks: RunnerHooks = {}): Promise<BenchResults> {
  const plan = planRun(options, hooks.signal);
  const state = new RunState(plan, hooks);
  const budget = new TimeBudget(plan);
  const { results } = state;
  const { config, backends, variants, execution, signal } = plan;

  for (const width of plan.widths) {
    const w = new WidthRun(width, plan);
    for (const backend of execution) {
      // The backend's variants, then the decay variant's one-ulp twin (the rounding floor; its row stays out of the results).
      const runs = [...variants.map((variant) => ({ variant, twin: false })), ...(plan.twin ? [{ variant: 'decay' as const, twin: true }] : [])];
      for (const { variant, twin } of runs) {
        const row = emptyRow(width, backend, variant);
        const cell: Cell = { backend, variant, row, checkpoints: new Map(), twin };
        w.cells.set(cellKey(backend, variant, twin), cell);
        if (!twin) results.results.push(row);
        state.label = `${w.prefix}${backend} ${variant}${twin ? ' (rounding twin)' : ''}`;
        // Only cells the budget counted up front give their share back.
        const counted = staticSkip(plan, backend, w.cfg) === null;
        const skip = budget.preflight(w, backend);
        if (skip) {
          if (counted) budget.settle(w.flopsPerStep);
          row.skipped = skip;
          state.settle(row);
          state.dropped(width, cell, config.steps);
          finishPairs(w, results);
          state.progress();
          state.partial();
          continue;
        }
        // Named from its start: warm-up (pipeline compilation) can take many seconds.
        state.progress();
        try {
          await runCell(state, budget, w, cell);
        } finally {
          if (counted) budget.settle(w.flopsPerStep);
          state.settle(row);
        }
        finishPairs(w, results);
        state.partial();
      }
    }
    // Rows of this width in the caller's backend order (they ran slowest first).
    const first = results.results.length - [...w.cells.values()].filter((c) => !c.twin).length;
    const ordered = results.results
      .slice(first)
      .sort((p, q) => backends.indexOf(p.backend) - backends.indexOf(q.backend) || variants.indexOf(p.variant) - variants.indexOf(q.variant));
    results.results.splice(first, ordered.length, ...ordered);
    state.partial();
  }

  if (signal?.aborted) results.stopped = abortReason(signal);
  else results.stopped = budgetStop(results, plan.maxSeconds);
  results.elapsedSeconds = (performance.now() - plan.started) / 1000;
  return results;
}

/**
 * Why the time budget stopped the run short, or null: spent (cells cut or not started), and how
 * many cells it refused up front as predicted over their share — a run that skipped cells for
 * the budget always says so, not just the rows.
 */
function budgetStop(results: BenchResults, maxSeconds: number | null): string | null {
  const rows = results.results;
  const spent = rows.some((r) => r.skipped?.startsWith('time budget') || r.note?.includes('time budget of'));
  const refused = rows.filter((r) => r.skipped?.startsWith('over the time budget')).length;
  if (!spent && refused === 0) return null;
  const refusedText = refused > 0 ? `${refused} of ${rows.length} cells skipped as predicted over their share of it` : '';
  if (!spent) return `time budget of ${maxSeconds} s: ${refusedText}`;
  return `time budget of ${maxSeconds} s spent${refused > 0 ? `; ${refusedText}` : ''}`;
}
