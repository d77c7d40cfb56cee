import type { MlpConfig, OptimizerName, Variant } from './config';
import { OPTIMIZERS, VARIANTS, decayAlpha } from './config';
import { decayAt, learningRateAt } from './schedule';

/** Hyperparameters of the update, resolved from a config (α = η·λ). */
export interface Hyperparameters {
  lr: number;
  lambda: number;
  alpha: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** The base hyperparameters, η = η_0 and α = η_0·λ: step 1's under every schedule. */
export function hyperparameters(config: MlpConfig): Hyperparameters {
  const { lr, lambda, momentum, beta1, beta2, eps } = config;
  return { lr, lambda, alpha: decayAlpha(config), momentum, beta1, beta2, eps };
}

/**
 * The hyperparameters of step t (counted from 1): η_t and α_t from the config's schedule
 * (docs/RULES.md, Schedules), the rest as configured. Every backend takes its per-step constants
 * from here, so they schedule identically. Writes into `dst` when given (the GPU fills 64 slots a
 * submit without allocating).
 */
export function stepHyperparameters(config: MlpConfig, t: number, dst: Hyperparameters = hyperparameters(config)): Hyperparameters {
  dst.lr = learningRateAt(config, t);
  dst.lambda = config.lambda;
  dst.alpha = decayAt(config, t);
  dst.momentum = config.momentum;
  dst.beta1 = config.beta1;
  dst.beta2 = config.beta2;
  dst.eps = config.eps;
  return dst;
}

/** One of the six rules of docs/RULES.md, as data: what it keeps and how it reads. */
export interface UpdateRule {
  optimizer: OptimizerName;
  variant: Variant;
  /** Optimizer state per parameter, each starting at 0. */
  state: readonly ('v' | 'm' | 's')[];
  /** The rule in plain typography, as docs/RULES.md writes it. */
  formula: string;
}

const FORMULAS: Record<OptimizerName, Record<Variant, string>> = {
  sgd: {
    l2: 'w ← w − η (g + λ w)',
    decay: 'w ← (1 − α) w − η g',
  },
  momentum: {
    l2: 'v ← μ v + (g + λ w) ; w ← w − η v',
    decay: 'v ← μ v + g ; w ← (1 − α) w − η v',
  },
  adam: {
    l2: "g' = g + λ w ; m ← β1 m + (1−β1) g' ; s ← β2 s + (1−β2) g'² ; w ← w − η m̂ / (√ŝ + ε)",
    decay: 'm ← β1 m + (1−β1) g ; s ← β2 s + (1−β2) g² ; w ← (1 − α) w − η m̂ / (√ŝ + ε)',
  },
};

const STATE: Record<OptimizerName, UpdateRule['state']> = { sgd: [], momentum: ['v'], adam: ['m', 's'] };

export const UPDATE_RULES: readonly UpdateRule[] = OPTIMIZERS.flatMap((optimizer) =>
  VARIANTS.map((variant) => ({ optimizer, variant, state: STATE[optimizer], formula: FORMULAS[optimizer][variant] })),
);

export function updateRule(optimizer: OptimizerName, variant: Variant): UpdateRule {
  return UPDATE_RULES.find((r) => r.optimizer === optimizer && r.variant === variant)!;
}

type Vector = Float64Array | Float32Array;

/** Optimizer state of one parameter array: `v` for momentum, `m` and `s` for Adam. */
export interface OptimizerState {
  v?: Vector;
  m?: Vector;
  s?: Vector;
}

/**
 * Applies one step of a rule to a parameter array in place, exactly as docs/RULES.md states it.
 * `g` is the loss gradient alone; `t` counts steps from 1; `regularized` false turns both
 * λ and α off (biases, unless the config regularizes them). Arithmetic is float64; a
 * Float32Array `w` rounds on store, which is what a float32 backend does.
 */
export function applyUpdate(
  optimizer: OptimizerName,
  variant: Variant,
  w: Vector,
  g: Vector,
  state: OptimizerState,
  h: Hyperparameters,
  t: number,
  regularized: boolean,
): void {
  const lambda = regularized && variant === 'l2' ? h.lambda : 0;
  const keep = regularized && variant === 'decay' ? 1 - h.alpha : 1;
  const n = w.length;
  if (optimizer === 'sgd') {
    for (let i = 0; i < n; i++) w[i] = keep * w[i] - h.lr * (g[i] + lambda * w[i]);
  } else if (optimizer === 'momentum') {
    const v = state.v!;
    for (let i = 0; i < n; i++) {
      v[i] = h.momentum * v[i] + (g[i] + lambda * w[i]);
      w[i] = keep * w[i] - h.lr * v[i];
    }
  } else {
    const m = state.m!;
    const s = state.s!;
    const c1 = 1 - Math.pow(h.beta1, t);
    const c2 = 1 - Math.pow(h.beta2, t);
    for (let i = 0; i < n; i++) {
      const gi = g[i] + lambda * w[i];
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
      s[i] = h.beta2 * s[i] + (1 - h.beta2) * gi * gi;
      const mHat = m[i] / c1;
      const sHat = s[i] / c2;
      w[i] = keep * w[i] - (h.lr * mHat) / (Math.sqrt(sHat) + h.eps);
    }
  }
}

/** Fresh zeroed optimizer state for an array of n parameters. */
export function zeroState<T extends Vector>(optimizer: OptimizerName, n: number, make: (n: number) => T): OptimizerState {
  if (optimizer === 'momentum') return { v: make(n) };
  if (optimizer === 'adam') return { m: make(n), s: make(n) };
  return {};
}

/** The optimizer ids the kernels switch on (the CPU's WebAssembly update, the GPU's OPTIMIZER constant). */
export const OPTIMIZER_ID: Record<OptimizerName, number> = { sgd: 0, momentum: 1, adam: 2 };

/** Optimizer state buffers per parameter: 0 for SGD, 1 (v) for momentum, 2 (m, s) for Adam. */
export function stateCount(optimizer: OptimizerName): number {
  return STATE[optimizer].length;
}

/**
 * The per-step constants of a float32 update, in the order the kernels read them:
 * [η, λ, α, μ, β1, β2, 1 − β1, 1 − β2, ε, 1 − β1^t, 1 − β2^t]. λ is 0 unless the buffer is
 * regularized by L2, α is 0 unless it is regularized by decay, so one formula serves both:
 * g' = g + λ·w, keep = w − α·w (the decay written w − α·w: 1 − α rounded to f32 would shrink
 * every weight by the same wrong factor each step). 1 − β and the bias corrections are computed
 * in float64 and rounded once (1 − f32(0.999) is off by 1.3e-5 relative).
 */
export function stepConstants(h: Hyperparameters, variant: Variant, regularized: boolean, t: number): number[] {
  return [
    h.lr,
    regularized && variant === 'l2' ? h.lambda : 0,
    regularized && variant === 'decay' ? h.alpha : 0,
    h.momentum,
    h.beta1,
    h.beta2,
    1 - h.beta1,
    1 - h.beta2,
    h.eps,
    1 - Math.pow(h.beta1, t),
    1 - Math.pow(h.beta2, t),
  ];
}
