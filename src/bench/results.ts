/**
 * The results schema shared by the CLI (`--json`) and the page (export/import):
 * "l2wd-bench/1" of docs/DESIGN.md. Fields may be added; these must stay.
 */
import type { AdapterSummary } from '../gpu/adapter-summary';
import type { TimestampCheck } from '../gpu/timestamp-check';
import type { Backend, MlpConfig, Variant } from '../model/config';
import type { VerdictId } from '../model/verdict';
import type { GridRun } from './grid-results';

export const SCHEMA = 'l2wd-bench/1';

export type { AdapterSummary, WebGpuImplementation } from '../gpu/adapter-summary';
export type { TimestampCheck } from '../gpu/timestamp-check';

export interface Spread {
  median: number;
  p10: number;
  p90: number;
}

/** How a step time was measured: GPU timestamps, or wall clock around awaited work. */
export type TimerKind = 'timestamp-query' | 'wall';

/** One backend × variant (× width, in a sweep). Every field is present in memory: parseResultsJson fills what an older file lacks. */
export interface ResultRow {
  /** The swept hidden width; null outside a sweep. */
  width: number | null;
  backend: Backend;
  /** What ran the cell, where the backend says (the CPU: "CPU: WASM SIMD, 2 threads"). */
  engine?: string;
  variant: Variant;
  stepMs: Spread | null;
  timer: TimerKind | null;
  samplesPerSec: number | null;
  gflops: number | null;
  finalLoss: number | null;
  /** Per-layer Frobenius norms of W at each recorded step (norms[k][l]). */
  norms: number[][];
  /** Null, or why this cell did not run ("layer 2 weights need 4.0 GiB; maxBufferSize is 1.0 GiB"). */
  skipped: string | null;
  /** Steps at which `norms` (and losses) were recorded, same length as norms. */
  normSteps: number[];
  trainLoss: number[];
  validationLoss: number[];
  finalValidationLoss: number | null;
  /**
   * Classification (loss ce) only, else empty and null: the share of the last step's batch and of
   * the validation rows classified right at each record (docs/RULES.md, "Accuracy"), as long as norms.
   */
  trainAccuracy: number[];
  validationAccuracy: number[];
  finalTrainAccuracy: number | null;
  finalValidationAccuracy: number | null;
  /** Set when training produced NaN or Inf: the first recorded step it was seen at (the cell stops there). */
  nonFiniteAtStep: number | null;
  /** Steps this cell actually trained (after warm-up); fewer than config.steps when `note` says why. */
  steps: number;
  /** Steps per timing sample (one GPU wait per chunk); norms and losses were recorded after each. */
  chunkSteps: number;
  /** Untimed warm-up steps run before the shared initial parameters were set. */
  warmupSteps: number;
  /** Wall-clock step time around awaited chunks, kept even when `timer` is timestamp-query (the gap is host overhead). */
  wallStepMs: Spread | null;
  /** Something a reader of the figures must know: fewer steps to fit the time budget, stopped early. */
  note: string | null;
}

export interface AgreementRow {
  width: number | null;
  a: { backend: Backend; variant: Variant };
  b: { backend: Backend; variant: Variant };
  /** Per layer, at the last recorded step. */
  normGap: number[];
  weightGap: number[];
  /** Per recorded step, per layer: the norm gap over time (for charts). */
  normGapHistory?: number[][];
  /** Steps of normGapHistory (recorded by both a and b). */
  historySteps?: number[];
  /** The training step normGap and weightGap compare at (both runs had taken this many steps). */
  step?: number;
  /** Layers (1-based) whose baseline weights are all exactly 0: gaps there are 0 (both 0) or +Infinity. */
  zeroScaleLayers?: number[];
  /**
   * L2-vs-decay pairs: the rounding floor, per layer — the gaps between b and its one-ulp twin
   * (docs/RULES.md, "Rounding floor and verdict"). Null when the twin did not finish at `step`.
   */
  floorNormGap?: number[] | null;
  floorWeightGap?: number[] | null;
  /** Largest pair gap / floor over layers and both gaps (floors below √step half-ulps count as that); null without a floor. */
  floorRatio?: number | null;
  /** identical | same | drift | diverged | unmeasured (src/model/verdict.ts). */
  verdict?: VerdictId | null;
}

export interface BenchResults {
  schema: typeof SCHEMA;
  createdAt?: string;
  adapter: AdapterSummary | null;
  limits: Record<string, number> | null;
  /** Whether timestamp-query's units agreed with wall time on a calibration pass; null: no timestamps, or not checked. */
  timestampCheck?: TimestampCheck | null;
  config: MlpConfig & { alpha: number };
  /** Host that ran the CPU backends (Node: os.cpus()[0].model; browser: navigator.userAgent). */
  machine?: string;
  /** The swept hidden widths, null when the run was not a sweep. */
  sweep?: number[] | null;
  /** Time budget of the whole run in seconds (null: none). */
  maxSeconds?: number | null;
  /** Worker threads the fast CPU backend was asked to use. */
  workers?: number | null;
  /** Seconds the run took. */
  elapsedSeconds?: number;
  /** Why the run stopped before every cell ran ("cancelled", "time budget of 120 s spent"), else null. */
  stopped?: string | null;
  /** Things a reader must know that belong to no single row (a comparison that could not be made). */
  notes?: string[];
  results: ResultRow[];
  agreement: AgreementRow[];
  /**
   * The page's λ = 0 baseline run, when one ran: its rows (the same configuration with λ = 0
   * and α = 0, variant l2, one backend), which the loss chart draws under L2 and decay.
   */
  baseline?: ResultRow[];
  /** A grid run's heatmaps (src/bench/grid-results.ts); absent or null for a plain run or sweep. */
  grid?: GridRun | null;
}

/** Recorded steps a row keeps at most: past this the runner thins older records (every other one). */
export const MAX_RECORDS_PER_ROW = 4096;

/** A row before its cell ran: no figures, no records, nothing skipped. */
export function emptyRow(width: number | null, backend: Backend, variant: Variant): ResultRow {
  return {
    width,
    backend,
    variant,
    stepMs: null,
    timer: null,
    samplesPerSec: null,
    gflops: null,
    finalLoss: null,
    norms: [],
    skipped: null,
    normSteps: [],
    trainLoss: [],
    validationLoss: [],
    finalValidationLoss: null,
    trainAccuracy: [],
    validationAccuracy: [],
    finalTrainAccuracy: null,
    finalValidationAccuracy: null,
    nonFiniteAtStep: null,
    steps: 0,
    chunkSteps: 0,
    warmupSteps: 0,
    wallStepMs: null,
    note: null,
  };
}
