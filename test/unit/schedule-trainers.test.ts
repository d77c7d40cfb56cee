/**
 * Learning-rate schedules on the CPU backends (docs/RULES.md, Schedules): `stepHyperparameters`
 * is what every backend reads, the float64 reference applies η_t and α_t step by step, the fast
 * CPU matches the reference under every schedule and decay convention, and the seed's claim
 * under a schedule holds with `tracks` and fails with `fixed`.
 */
import { describe, expect, it } from 'vitest';
import { createFastCpuTrainer } from '../../src/cpu/fast';
import { createReferenceTrainer, lossAndGradients } from '../../src/cpu/reference';
import type { MlpConfig, Variant } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import { makeDataset, rowsOf } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { initialParameters } from '../../src/model/parameters';
import type { Trainer } from '../../src/model/trainer';
import { applyUpdate, hyperparameters, stepHyperparameters, zeroState } from '../../src/model/update-rules';
import { scheduleCases, runParity } from '../support/parity';

describe('stepHyperparameters: η_t and α_t for step t, the rest as configured', () => {
  it('under the constant schedule it is the base hyperparameters at every step (every existing result is unchanged)', () => {
    const config = validateConfig({ optimizer: 'adam', lr: 3e-3, lambda: 0.02 });
    for (const t of [1, 2, 199, 10_000]) expect(stepHyperparameters(config, t)).toEqual(hyperparameters(config));
  });

  it('step schedule, tracks: η_t = η·γ^⌊(t−1)/S⌋ and α_t = η_t·λ; fixed: α stays η·λ', () => {
    const tracks = validateConfig({ lr: 0.1, lambda: 0.01, schedule: 'step', stepEvery: 10, stepGamma: 0.5 });
    const fixed = { ...tracks, decaySchedule: 'fixed' as const };
    for (const [t, rate] of [
      [1, 0.1],
      [10, 0.1],
      [11, 0.05],
      [21, 0.025],
    ]) {
      expect(stepHyperparameters(tracks, t)).toMatchObject({ lr: rate, alpha: rate * 0.01, lambda: 0.01 });
      expect(stepHyperparameters(fixed, t)).toMatchObject({ lr: rate, alpha: 0.1 * 0.01, lambda: 0.01 });
    }
  });

  it('writes into dst when given, so the GPU fills its step slots without allocating', () => {
    const config = validateConfig({ schedule: 'cosine', steps: 10 });
    const dst = hyperparameters(config);
    expect(stepHyperparameters(config, 6, dst)).toBe(dst);
    expect(dst.lr).toBeCloseTo(0.005, 15);
  });
});

describe('the reference applies the schedule step by step', () => {
  it('a step schedule gives the trajectory of the rules driven by hand with η = 0.1, 0.1, 0.1, 0.05, 0.05, 0.025', async () => {
    const config = validateConfig({ layers: [3, 4, 2], batch: 5, lr: 0.1, lambda: 0.05, schedule: 'step', stepEvery: 3, stepGamma: 0.5, trainBatches: 2 });
    const data = makeDataset(config);
    for (const variant of ['l2', 'decay'] as const) {
      const trainer = createReferenceTrainer(config, variant, data);
      await trainer.train(7);
      // By hand: gradients from lossAndGradients, the rule of docs/RULES.md with this step's η and α written out.
      const p = initialParameters(config);
      const rates = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025];
      rates.forEach((lr, i) => {
        const t = i + 1;
        const rows = rowsOf(data.train, ((t - 1) % 2) * 5, 5, 3, 2);
        const { grads } = lossAndGradients(config, p, rows.x, rows.t, rows.rows);
        const h = { ...hyperparameters(config), lr, alpha: lr * 0.05 };
        p.weights.forEach((w, l) => applyUpdate('sgd', variant, w, grads.weights[l], {}, h, t, true));
        p.biases.forEach((b, l) => applyUpdate('sgd', variant, b, grads.biases[l], {}, h, t, false));
      });
      expect(await trainer.getParameters()).toEqual(p);
      trainer.dispose();
    }
  });

  it('Adam under a cosine schedule: η_t scales the step, the bias corrections still count t from 1', async () => {
    const config = validateConfig({ layers: [3, 4, 2], batch: 5, lr: 0.01, lambda: 0.05, optimizer: 'adam', schedule: 'cosine', steps: 4 });
    const data = makeDataset(config);
    const trainer = createReferenceTrainer(config, 'decay', data);
    await trainer.train(4);
    const p = initialParameters(config);
    const state = p.weights.map((w) => zeroState('adam', w.length, (n) => new Float64Array(n)));
    const biasState = p.biases.map((b) => zeroState('adam', b.length, (n) => new Float64Array(n)));
    for (let t = 1; t <= 4; t++) {
      const lr = (0.01 * (1 + Math.cos((Math.PI * (t - 1)) / 4))) / 2;
      const rows = rowsOf(data.train, ((t - 1) % config.trainBatches) * 5, 5, 3, 2);
      const { grads } = lossAndGradients(config, p, rows.x, rows.t, rows.rows);
      const h = { ...hyperparameters(config), lr, alpha: lr * 0.05 };
      p.weights.forEach((w, l) => applyUpdate('adam', 'decay', w, grads.weights[l], state[l], h, t, true));
      p.biases.forEach((b, l) => applyUpdate('adam', 'decay', b, grads.biases[l], biasState[l], h, t, false));
    }
    const got = await trainer.getParameters();
    got.weights.forEach((w, l) => w.forEach((v, i) => expect(v).toBeCloseTo(p.weights[l][i], 14)));
  });
});

/** Trains a trainer from the config's initial parameters; returns its weights. */
async function trainedWeights(make: () => Trainer | Promise<Trainer>, config: MlpConfig, steps: number): Promise<Float64Array[]> {
  const trainer = await make();
  try {
    await trainer.setParameters(initialParameters(config));
    await trainer.train(steps);
    return (await trainer.getParameters()).weights;
  } finally {
    trainer.dispose();
  }
}

const BACKENDS: [string, (config: MlpConfig, variant: Variant) => Trainer | Promise<Trainer>][] = [
  ['reference', (config, variant) => createReferenceTrainer(config, variant, makeDataset(config))],
  ['fast CPU', (config, variant) => createFastCpuTrainer(config, variant, makeDataset(config), { workers: 1 })],
];

describe('the schedule is really applied: a step schedule changes the trajectory against constant η', () => {
  for (const [name, make] of BACKENDS)
    it(`${name}: SGD, 40 steps with η halved after step 20, ends ≥ 1e-3 away from the constant run`, async () => {
      const constant = validateConfig({ layers: [5, 17, 3], batch: 7, lr: 0.05, lambda: 0.01, seed: 11 });
      const stepped = { ...constant, schedule: 'step' as const, stepEvery: 20, stepGamma: 0.5 };
      const a = await trainedWeights(() => make(constant, 'decay'), constant, 40);
      const b = await trainedWeights(() => make(stepped, 'decay'), stepped, 40);
      expect(Math.min(...agreement(b, a).weightGap)).toBeGreaterThan(1e-3);
    });
});

describe('fast CPU vs float64 reference under every schedule and decay convention, 50 steps (η halves every 20)', () => {
  // The parity suite's tolerance and reasoning (test/unit/fast-cpu.test.ts): f32 rounding carried
  // through 50 steps stays below ~7e-7; a schedule only scales η_t and α_t, so the same 1e-5 holds,
  // while a schedule applied at the wrong step or not at all moves the weights by ≥ 1e-3 (above).
  const TOLERANCE = 1e-5;
  for (const c of scheduleCases(20))
    it(c.name, async () => {
      const out = await runParity((config, variant, data) => createFastCpuTrainer(config, variant, data, { workers: 1 }), c, 50);
      out.weightGap.forEach((gap, l) => expect(gap, `layer ${l + 1} weight gap`).toBeLessThanOrEqual(TOLERANCE));
    });
});

describe("the seed's claim under a schedule (float64 reference, 200 steps)", () => {
  const base = { layers: [6, 12, 4], batch: 8, lr: 0.1, lambda: 0.05, steps: 200, stepEvery: 50, stepGamma: 0.3, seed: 5 };
  /** Worst norm or weight gap between the L2 and decay runs of `config`. */
  async function pairGap(config: MlpConfig): Promise<number> {
    const [l2, decay] = await Promise.all((['l2', 'decay'] as const).map((v) => trainedWeights(() => BACKENDS[0][1](config, v), config, 200)));
    const gaps = agreement(l2, decay);
    return Math.max(...gaps.weightGap, ...gaps.normGap);
  }
  for (const schedule of ['step', 'cosine'] as const) {
    it(`SGD, ${schedule}: decay that tracks the schedule (α_t = η_t·λ) is L2's map, to ≤ 1e-12`, async () => {
      expect(await pairGap(validateConfig({ ...base, schedule, decaySchedule: 'tracks' }))).toBeLessThanOrEqual(1e-12);
    });
    it(`SGD, ${schedule}: a fixed α = η·λ parts from L2 by > 1e-3`, async () => {
      expect(await pairGap(validateConfig({ ...base, schedule, decaySchedule: 'fixed' }))).toBeGreaterThan(1e-3);
    });
  }
  it('SGD, constant η: fixed and tracks are one convention (α = η·λ at every step), bit for bit', async () => {
    const tracks = validateConfig({ ...base, decaySchedule: 'tracks' });
    const fixed = validateConfig({ ...base, decaySchedule: 'fixed' });
    const a = await trainedWeights(() => BACKENDS[0][1](tracks, 'decay'), tracks, 200);
    const b = await trainedWeights(() => BACKENDS[0][1](fixed, 'decay'), fixed, 200);
    expect(b).toEqual(a);
  });
});
