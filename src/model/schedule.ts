/**
 * Learning-rate schedules and how the decoupled decay follows them (docs/RULES.md, Schedules).
 * Every backend takes η_t and α_t for step t from here, so they schedule identically.
 */

export const SCHEDULES = ['constant', 'step', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/**
 * `tracks`: α_t = η_t·λ, the decoupled form of Loshchilov & Hutter's Algorithm 1: under SGD, L2 at λ
 * and this decay are the same map at every step. `fixed`: α = η_0·λ whatever η_t does: the two part
 * as soon as η_t leaves η_0.
 */
export const DECAY_SCHEDULES = ['tracks', 'fixed'] as const;
export type DecaySchedule = (typeof DECAY_SCHEDULES)[number];

export interface ScheduleConfig {
  /** η_0, the base learning rate. */
  lr: number;
  lambda: number;
  /** Steps of the run, T (the cosine schedule reaches its floor at t = T + 1). */
  steps: number;
  schedule: ScheduleName;
  /** `step` schedule: η is multiplied by `stepGamma` every `stepEvery` steps. */
  stepEvery: number;
  stepGamma: number;
  decaySchedule: DecaySchedule;
}

/**
 * The schedule's multiplier m_t of step t = 1 … T, so that η_t = η_0 · m_t:
 *   constant  m_t = 1
 *   step      m_t = γ^⌊(t − 1) / S⌋
 *   cosine    m_t = (1 + cos(π (t − 1) / T)) / 2
 * Loshchilov & Hutter's "schedule multiplier": under `tracks` it scales α the same way, so a
 * trainer given η and α directly (a grid point) schedules them as η·m_t and α·m_t (`fixed`: α).
 */
export function scheduleMultiplier(c: Pick<ScheduleConfig, 'schedule' | 'steps' | 'stepEvery' | 'stepGamma'>, t: number): number {
  switch (c.schedule) {
    case 'constant':
      return 1;
    case 'step':
      return Math.pow(c.stepGamma, Math.floor((t - 1) / c.stepEvery));
    case 'cosine':
      return (1 + Math.cos((Math.PI * (t - 1)) / c.steps)) / 2;
  }
}

/** η_t = η_0 · m_t for step t (docs/RULES.md, Schedules). */
export function learningRateAt(c: ScheduleConfig, t: number): number {
  return c.lr * scheduleMultiplier(c, t);
}

/** α_t, the decoupled decay factor of step t: η_t·λ (`tracks`) or η_0·λ (`fixed`). */
export function decayAt(c: ScheduleConfig, t: number): number {
  return (c.decaySchedule === 'tracks' ? learningRateAt(c, t) : c.lr) * c.lambda;
}

/**
 * True when α_t = η_t·λ at every step: the decay tracks the rate, or the rate is constant (then
 * the two conventions are one). Under plain SGD, L2 and decay are then the same map; otherwise
 * they differ by (η_0 − η_t)·λ·w at every step where η_t ≠ η_0 (docs/RULES.md, Schedules).
 */
export function decayFollowsRate(c: Pick<ScheduleConfig, 'schedule' | 'decaySchedule'>): boolean {
  return c.decaySchedule === 'tracks' || c.schedule === 'constant';
}

/** The schedule and the decay convention in words, for the page and the CLI header. */
export function describeSchedule(c: ScheduleConfig): string {
  const rate =
    c.schedule === 'constant'
      ? `constant η = ${c.lr}`
      : c.schedule === 'step'
        ? `step: η_t = ${c.lr} × ${c.stepGamma}^⌊(t−1)/${c.stepEvery}⌋`
        : `cosine: η_t from ${c.lr} down to 0 over ${c.steps} steps`;
  if (c.schedule === 'constant') return `${rate}, decay α = η·λ`;
  return c.decaySchedule === 'tracks'
    ? `${rate}; decay tracks it, α_t = η_t·λ`
    : `${rate}; decay fixed, α = η_0·λ = ${Number((c.lr * c.lambda).toPrecision(4))}`;
}
