/**
 * The L2-vs-decay verdict, judged against a measured rounding floor (docs/RULES.md, "Rounding
 * floor and verdict"). Pure: no DOM, no GPU.
 *
 * Under plain SGD the two rules are one map written two ways, so on one backend the pair's
 * weights differ only by the rounding of a reordered expression. How far rounding alone moves
 * a run depends on the run (ReLU sign flips and width amplify it a thousandfold), so a fixed
 * threshold cannot tell SGD's rounding from Adam's drift. The floor is measured instead: a twin
 * of the decay run starts from weights one ulp away (a seeded random sign per weight) and sums its
 * products in another order at every step (other kernels: src/bench/backends.ts), and the twin's
 * gap to the decay run, per layer, is how far rounding alone moves this very run. The pair's norm
 * gap is then stated as a multiple of that floor.
 *
 * The verdict reads the norm gaps, not the weight gaps. The weight gap is a maximum over single
 * weights, and in a ReLU network one rounding-sized nudge that flips a unit's sign moves some
 * weights by a sizeable part of their value: whether that happens in a given run is a threshold
 * event, so one twin may show it and another not. Measured on the Large preset (784,1024,1024,10,
 * ReLU/CE, batch 256, 50 SGD steps, CPU): the pair's layer-2 weight gap 2.7e-4, a kernels-only twin
 * 2.7e-4, a one-ulp twin 2.7e-7 — while the norm gaps of pair and twins all stay below 1e-8, and
 * Adam's and momentum's norm gaps sit at 3e-3 to 4e-1 (docs/BENCHMARKS.md, "Rounding floor"). The
 * weight gaps and the twin's weight gaps are still reported beside the verdict.
 */

import type { MlpConfig } from './config';
import { decayFollowsRate } from './schedule';

/** The verdict of one L2-vs-decay pair. */
export type VerdictId =
  /** Every gap is exactly 0: the two runs produced bit-identical weights. */
  | 'identical'
  /** The gaps are within SAME_MAX_RATIO times the rounding floor. */
  | 'same'
  /** The gaps exceed the rounding floor by more than SAME_MAX_RATIO. */
  | 'drift'
  /** A gap or a weight is NaN/Inf: training diverged, no statement about the rules. */
  | 'diverged'
  /** No floor could be measured (the twin run did not finish): the gap stands alone. */
  | 'unmeasured';

export const VERDICT_IDS: readonly VerdictId[] = ['identical', 'same', 'drift', 'diverged', 'unmeasured'];

/**
 * Largest pair/floor ratio still called "the same map". Measured (docs/BENCHMARKS.md, "Rounding
 * floor"): under SGD the ratio stayed at or below 0.21 on the small presets (GPU, fast CPU and
 * reference, tanh/MSE and ReLU/CE, up to 2000 steps) and at 0.0017 on the Large preset (CPU,
 * 50 steps); under momentum and Adam it was at least 280 (480–3200 on the small presets, 602 and
 * 1070 on the Large one). 30 sits between them with a wide margin on both sides.
 */
export const SAME_MAX_RATIO = 30;

/**
 * One ulp of 1, relative, in float32 (2⁻²³ ≈ 1.2e-7) and float64 (2⁻⁵²): at most what the two
 * rules' different roundings can move a weight, relative to the layer's largest, in one step.
 */
export const ULP_F32 = 2 ** -23;
export const ULP_F64 = 2 ** -52;

/**
 * The least floor after `steps` steps: one ulp per step. The twin is perturbed once, while the
 * pair's rules round differently at every step; in directions the dynamics neither grow nor
 * shrink, those roundings add up (linearly when they lean one way: float64's 1 − α is itself
 * rounded, so the reference's pair drifts by ~1e-16 per step, measured), and the twin's single
 * perturbation does not grow. The twin's norm gap can also come out far below its
 * perturbation: ±1-ulp changes of random sign cancel in a sum of squares.
 */
export function leastFloor(steps: number, precision: 32 | 64): number {
  return (precision === 32 ? ULP_F32 : ULP_F64) * Math.max(1, steps);
}

export interface LayerGaps {
  normGap: readonly number[];
  weightGap: readonly number[];
}

export interface Verdict {
  id: VerdictId;
  /** Largest over layers of the pair's norm gap / the floor's; null without a floor or when diverged. */
  ratio: number | null;
  /** The layer (1-based) and gap kind that gave `ratio`. */
  worstLayer: number | null;
  worstKind: 'norm' | 'weight' | null;
}

const allFinite = (xs: readonly number[]) => xs.every(Number.isFinite);

export interface JudgeOptions {
  /** A run of the pair produced NaN/Inf (its row's nonFiniteAtStep): diverged whatever the gaps say. */
  diverged?: boolean;
  /** The least floor (`leastFloor`); default ULP_F32, one float32 step. */
  floorMin?: number;
}

/**
 * Decides the verdict of a pair from its gaps and the floor measured for it (null when no twin
 * finished). A NaN gap means NaN weights: diverged. A +Infinity gap with finite weights comes
 * from a zero baseline (docs/RULES.md, Agreement) and is infinitely many floors: drift.
 */
export function judge(pair: LayerGaps, floor: LayerGaps | null, options: JudgeOptions = {}): Verdict {
  const floorMin = options.floorMin ?? ULP_F32;
  const none = { ratio: null, worstLayer: null, worstKind: null };
  if (options.diverged || [...pair.normGap, ...pair.weightGap].some(Number.isNaN)) return { id: 'diverged', ...none };
  if ([...pair.normGap, ...pair.weightGap].every((g) => g === 0)) return { id: 'identical', ratio: 0, worstLayer: null, worstKind: null };
  const infinite = (gaps: readonly number[]) => gaps.findIndex((g) => g === Number.POSITIVE_INFINITY);
  for (const [kind, gaps] of [
    ['weight', pair.weightGap],
    ['norm', pair.normGap],
  ] as const)
    if (infinite(gaps) >= 0) return { id: 'drift', ratio: Number.POSITIVE_INFINITY, worstLayer: infinite(gaps) + 1, worstKind: kind };
  if (!floor || !allFinite(floor.normGap) || !allFinite(floor.weightGap)) return { id: 'unmeasured', ...none };
  let ratio = 0;
  let worstLayer = 1;
  let worstKind: 'norm' | 'weight' = 'norm';
  // Norm gaps only: see the module comment for why the max-based weight gap cannot decide.
  const kinds = [['norm', pair.normGap, floor.normGap]] as const;
  for (const [kind, gaps, floors] of kinds)
    gaps.forEach((gap, l) => {
      const r = gap / Math.max(floors[l] ?? 0, floorMin);
      if (r > ratio) [ratio, worstLayer, worstKind] = [r, l + 1, kind];
    });
  return { id: ratio <= SAME_MAX_RATIO ? 'same' : 'drift', ratio, worstLayer, worstKind };
}

/**
 * The inputs of a one-ulp twin: a copy of `weights` with each value moved one ulp up or down
 * (seeded random sign), in float32 or float64 as the backend stores them. Zeros stay zero (their
 * ulp is subnormal; Glorot weights are never exactly 0 in practice). Biases are left alone by
 * the caller: they start at 0.
 */
export function oneUlpTwin(weights: readonly Float64Array[], seed: number, precision: 32 | 64): Float64Array[] {
  let s = (seed ^ 0x7a11ed) >>> 0;
  const nextSign = () => {
    // A 32-bit LCG (Numerical Recipes): the top bit is a fair coin; no need for the model's RNG here.
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 31 ? 1 : -1;
  };
  const f32 = new Float32Array(1);
  const i32 = new Int32Array(f32.buffer);
  const f64 = new Float64Array(1);
  const i64 = new BigInt64Array(f64.buffer);
  return weights.map((w) => {
    const out = new Float64Array(w.length);
    for (let k = 0; k < w.length; k++) {
      const sign = nextSign();
      if (w[k] === 0 || !Number.isFinite(w[k])) {
        out[k] = w[k];
      } else if (precision === 32) {
        // Adding ±1 to the bits of a non-zero finite float moves it one ulp away from or towards 0.
        f32[0] = w[k];
        i32[0] += sign;
        out[k] = f32[0];
      } else {
        f64[0] = w[k];
        i64[0] += BigInt(sign);
        out[k] = f64[0];
      }
    }
    return out;
  });
}

/** "0.4", "7.2", "1.3e+4": a ratio with two significant digits. */
function formatRatio(r: number): string {
  return r < 1e4 ? String(Number(r.toPrecision(2))) : r.toExponential(1);
}

/** What a run's verdict depends on besides its gaps: the optimizer, the schedule and the decay convention. */
export type VerdictRun = Pick<MlpConfig, 'optimizer' | 'schedule' | 'decaySchedule'>;

/**
 * Whether L2 and decay are one map in this run, so "same" is the answer and "drift" a bug: plain
 * SGD with α_t = η_t·λ at every step (a constant rate, or decay that tracks the schedule). Under a
 * schedule with a fixed α they are two maps, as under momentum and Adam (docs/RULES.md, Schedules).
 */
export function sameMapExpected(run: VerdictRun): boolean {
  return run.optimizer === 'sgd' && decayFollowsRate(run);
}

/**
 * The verdict in words, one sentence for the page and the CLI alike. Where the rules are one map
 * (sameMapExpected) "same" is the identity holding and a "drift" would be a bug; elsewhere a "same"
 * only says this λ moved them less than rounding does.
 */
export function describeVerdict(id: VerdictId, ratio: number | null, run: VerdictRun): string {
  const k = ratio === null ? '?' : formatRatio(ratio);
  const oneMap = sameMapExpected(run);
  // SGD with a fixed α under a moving η_t: the drift is the point, and its cause is named.
  const fixedAlpha = run.optimizer === 'sgd' && !oneMap;
  switch (id) {
    case 'identical':
      return 'the same map: bit-identical weights (gap exactly 0)';
    case 'same':
      return oneMap ? `the same map: norm gap ≈ ${k}× the rounding floor` : `no drift above rounding at this λ: norm gap ≈ ${k}× the rounding floor`;
    case 'drift':
      if (ratio === Number.POSITIVE_INFINITY) return 'they drift: one run’s weights are exactly 0 and the other’s are not';
      if (oneMap) return `they drift: norm gap ${k}× the rounding floor — under plain SGD that is a bug`;
      return fixedAlpha
        ? `they drift: norm gap ${k}× the rounding floor — α is fixed at η_0·λ while η_t follows the schedule, so they are two maps`
        : `they drift: norm gap ${k}× the rounding floor`;
    case 'diverged':
      return 'training diverged (NaN/Inf): no verdict';
    case 'unmeasured':
      return 'no rounding floor measured (the twin run did not finish at this step): no verdict';
  }
}
