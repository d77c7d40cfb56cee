/**
 * The grid run's part of the results schema (docs/DESIGN.md, Grid): one heatmap per backend ×
 * optimizer × regularizer × decay convention, each cell a final train/validation loss and
 * validation accuracy. It rides in "l2wd-bench/1" as the optional `grid` field (fields may be
 * added; files without it import as before).
 */
import type { Backend, OptimizerName, Variant } from '../model/config';

/**
 * How the decay axis is written (docs/RULES.md, "Grid: two conventions"). `alpha-over-lr`:
 * PyTorch's weight_decay, α = η·λ with the λ values, so the SGD pair lines up cell by cell
 * (Proposition 1); `alpha`: the paper's per-step decay, the axis values are α itself.
 */
export const DECAY_CONVENTIONS = ['alpha-over-lr', 'alpha'] as const;
export type DecayConvention = (typeof DECAY_CONVENTIONS)[number];

/** What a heatmap's strength axis holds: λ (L2), or α in one of the two conventions (decay). */
export type StrengthAxis = 'lambda' | DecayConvention;
export const STRENGTH_AXES: readonly StrengthAxis[] = ['lambda', ...DECAY_CONVENTIONS];

export interface GridCell {
  /** η of this model. */
  lr: number;
  /** The axis value (λ, or the α/η or α value). */
  strength: number;
  /** λ the model ran with (L2), or the λ whose product with η is its α (decay). */
  lambda: number;
  /** α the model ran with (decay), or η·λ (L2). */
  alpha: number;
  /** Mean loss of the last step's mini-batch. */
  trainLoss: number;
  validationLoss: number;
  /** NaN where it was not measured (MSE, or a trainer without accuracy). */
  validationAccuracy: number;
}

export interface GridHeatmap {
  backend: Backend;
  /** What ran it ("GPU: 36 models per dispatch", "CPU: WASM SIMD, 2 threads, one model at a time"); null when skipped. */
  engine: string | null;
  optimizer: OptimizerName;
  variant: Variant;
  axis: StrengthAxis;
  /** Row-major: cells[i × strengths.length + j] is lrs[i], strengths[j]; empty when skipped. */
  cells: GridCell[];
  /**
   * Decay in the α/η convention only: the final validation loss of its one-ulp twin per cell
   * (the rounding floor of the L2-vs-decay comparison, docs/RULES.md); null elsewhere or when not run.
   */
  twinValidationLoss: number[] | null;
  /** Steps every model trained. */
  steps: number;
  /** Wall seconds of the training steps (warm-up, set-up and evaluation excluded). */
  seconds: number | null;
  /** Models × steps / seconds. */
  modelStepsPerSec: number | null;
  /** Null, or why this heatmap did not run. */
  skipped: string | null;
}

export interface GridRun {
  /** The learning-rate axis, ascending (every heatmap's rows). */
  lrs: number[];
  /** The strength axis, ascending (every heatmap's columns: λ, α/η or α by its `axis`). */
  strengths: number[];
  optimizers: OptimizerName[];
  backends: Backend[];
  conventions: DecayConvention[];
  heatmaps: GridHeatmap[];
}
