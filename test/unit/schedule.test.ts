import { describe, expect, it } from 'vitest';
import { decayAt, describeSchedule, learningRateAt, scheduleMultiplier, type ScheduleConfig } from '../../src/model/schedule';

const base: ScheduleConfig = { lr: 0.1, lambda: 1e-3, steps: 100, schedule: 'constant', stepEvery: 30, stepGamma: 0.1, decaySchedule: 'tracks' };

describe('learning-rate schedules', () => {
  it('constant keeps η_0', () => {
    for (const t of [1, 50, 100]) expect(learningRateAt(base, t)).toBe(0.1);
  });
  it('step multiplies by γ every S steps, starting after step S', () => {
    const c = { ...base, schedule: 'step' as const };
    const want = [0.1, 0.1, 0.01, 0.01, 0.001, 1e-4];
    [1, 30, 31, 60, 61, 91].forEach((t, i) => expect(learningRateAt(c, t)).toBeCloseTo(want[i], 17));
  });
  it('cosine starts at η_0, halves at mid-run and ends just above 0', () => {
    const c = { ...base, schedule: 'cosine' as const };
    expect(learningRateAt(c, 1)).toBe(0.1);
    expect(learningRateAt(c, 51)).toBeCloseTo(0.05, 15);
    const last = learningRateAt(c, 100);
    expect(last).toBeGreaterThan(0);
    expect(last).toBeCloseTo((0.1 * (1 + Math.cos((Math.PI * 99) / 100))) / 2, 15);
    for (let t = 2; t <= 100; t++) expect(learningRateAt(c, t)).toBeLessThan(learningRateAt(c, t - 1));
  });
});

describe('decay under a schedule', () => {
  it('tracks: α_t = η_t·λ at every step', () => {
    const c = { ...base, schedule: 'cosine' as const };
    for (const t of [1, 37, 100]) expect(decayAt(c, t)).toBe(learningRateAt(c, t) * 1e-3);
  });
  it('fixed: α = η_0·λ while η_t moves', () => {
    const c = { ...base, schedule: 'step' as const, decaySchedule: 'fixed' as const };
    for (const t of [1, 31, 100]) expect(decayAt(c, t)).toBe(0.1 * 1e-3);
  });
});

describe('the schedule multiplier m_t (η_t = η_0·m_t), for trainers given η and α directly', () => {
  it('is 1 under constant, γ^k under step, (1 + cos)/2 under cosine, and η_t is η_0·m_t exactly', () => {
    expect(scheduleMultiplier(base, 77)).toBe(1);
    expect(scheduleMultiplier({ ...base, schedule: 'step' }, 61)).toBeCloseTo(0.01, 17);
    expect(scheduleMultiplier({ ...base, schedule: 'cosine' }, 51)).toBeCloseTo(0.5, 15);
    for (const schedule of ['constant', 'step', 'cosine'] as const)
      for (const t of [1, 30, 31, 100]) expect(learningRateAt({ ...base, schedule }, t)).toBe(0.1 * scheduleMultiplier({ ...base, schedule }, t));
  });
});

describe('describeSchedule: the schedule and the convention in words', () => {
  it('names the rate, the convention and a fixed α to four digits', () => {
    expect(describeSchedule(base)).toBe('constant η = 0.1, decay α = η·λ');
    expect(describeSchedule({ ...base, schedule: 'step' })).toBe('step: η_t = 0.1 × 0.1^⌊(t−1)/30⌋; decay tracks it, α_t = η_t·λ');
    expect(describeSchedule({ ...base, lr: 0.07, lambda: 3e-3, schedule: 'cosine', decaySchedule: 'fixed' })).toBe(
      'cosine: η_t from 0.07 down to 0 over 100 steps; decay fixed, α = η_0·λ = 0.00021',
    );
  });
});
