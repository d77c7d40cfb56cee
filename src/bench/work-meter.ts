/**
 * How far a run has got, weighted by work rather than by steps: a step of a 4096-wide layer on
 * the float64 reference costs thousands of times a step of a 16-wide one on the GPU, so counting
 * steps makes the bar and its time estimate lie (docs/DESIGN.md, "Progress").
 *
 * Each step is predicted to take `overhead + FLOPs / rate` for its backend: a prior rate until
 * the backend has been measured, then the measured one. Steps that will not run (skipped cells,
 * cells cut by the time budget) drop out of the total instead of counting as done.
 *
 * Browser-safe: no Node imports.
 */
import type { Backend } from '../model/config';

/** A backend's cost of one step: fixed milliseconds (submit, read-back, dispatch) plus FLOPs at a rate. */
export interface StepRate {
  gflops: number;
  overheadMs: number;
}

/** What a backend is assumed to do before it has been measured (software adapter and one core: the slow end). */
export const PRIOR_STEP_RATES: Readonly<Record<Backend, StepRate>> = Object.freeze({
  reference: { gflops: 0.3, overheadMs: 0.02 },
  cpu: { gflops: 1, overheadMs: 0.02 },
  gpu: { gflops: 2, overheadMs: 1 },
});

interface MeteredCell {
  backend: Backend;
  flopsPerStep: number;
  /** Steps still to run or to drop. */
  left: number;
}

export class WorkMeter {
  private readonly rates = new Map<Backend, StepRate>();
  private readonly cells = new Map<string, MeteredCell>();
  /** Predicted seconds of the steps already trained, each at the rate known when it ran. */
  private doneSeconds = 0;

  /** Predicted seconds of one step of `backend` at `flopsPerStep`. */
  stepSeconds(backend: Backend, flopsPerStep: number): number {
    const r = this.rates.get(backend) ?? PRIOR_STEP_RATES[backend];
    return (r.overheadMs + flopsPerStep / (r.gflops * 1e6)) / 1000;
  }

  /** Whether any backend's rate has been measured (else every prediction is a prior). */
  measuredAny(): boolean {
    return this.rates.size > 0;
  }

  /** A cell of `steps` steps that the run will get to. */
  add(key: string, backend: Backend, flopsPerStep: number, steps: number): void {
    this.cells.set(key, { backend, flopsPerStep, left: steps });
  }

  /**
   * A measured step time: the backend's overhead is kept from its prior (but under half the
   * step), the rest of the step is FLOPs at the measured rate.
   */
  measured(backend: Backend, flopsPerStep: number, msPerStep: number): void {
    if (!(msPerStep > 0) || !Number.isFinite(msPerStep)) return;
    const overheadMs = Math.min(PRIOR_STEP_RATES[backend].overheadMs, 0.5 * msPerStep);
    this.rates.set(backend, { overheadMs, gflops: flopsPerStep / ((msPerStep - overheadMs) * 1e6) });
  }

  /** `n` steps of the cell were trained. */
  trained(key: string, n: number): void {
    const cell = this.cells.get(key);
    if (!cell || n <= 0) return;
    const k = Math.min(n, cell.left);
    this.doneSeconds += k * this.stepSeconds(cell.backend, cell.flopsPerStep);
    cell.left -= k;
  }

  /** `n` steps of the cell will not run (skipped, cut by the budget, the cell stopped early). */
  dropped(key: string, n: number): void {
    const cell = this.cells.get(key);
    if (cell) cell.left = Math.max(0, cell.left - n);
  }

  /** Predicted seconds: trained so far, and in all (trained plus what is left at today's rates). */
  work(): { done: number; total: number } {
    let left = 0;
    for (const c of this.cells.values()) left += c.left * this.stepSeconds(c.backend, c.flopsPerStep);
    return { done: this.doneSeconds, total: this.doneSeconds + left };
  }
}
