/**
 * Learning-rate schedules on the GPU (docs/RULES.md, Schedules): every step's uniform slot carries
 * its own η_t and α_t, so the GPU trains like the float64 reference under every schedule and decay
 * convention, across a submit boundary (70 steps: slots 1–64, then 65–70), and a step schedule
 * really changes its trajectory.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createGpuTrainer } from '../../src/gpu/gpu-trainer';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { initialParameters } from '../../src/model/parameters';
import { STEPS_PER_SUBMIT } from '../../src/gpu/passes/step-params';
import { runParity, scheduleCases } from '../support/parity';
import { releaseGpu, withDevice } from './fixture';

afterAll(releaseGpu);

/** test/gpu/trainer.test.ts's parity tolerance and reasoning: f32 rounding over the run stays below ~1e-6. */
const PARITY_TOLERANCE = 2e-5;
const STEPS = 70;

describe(`GPU vs the float64 reference under every schedule and decay convention, ${STEPS} steps (η halves every 30)`, () => {
  it('the run crosses a submit boundary, so slots of the second submit are checked too', () => expect(STEPS).toBeGreaterThan(STEPS_PER_SUBMIT));
  it.each(scheduleCases(30).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await withDevice(async ({ device }) => {
      const out = await runParity((config, variant, data) => createGpuTrainer(device, config, variant, data), c, STEPS);
      out.weightGap.forEach((gap, l) => expect(gap, `layer ${l + 1} weight gap`).toBeLessThanOrEqual(PARITY_TOLERANCE));
    });
  });
});

describe('the schedule is really applied on the GPU', () => {
  it('SGD, a step schedule (η halved after step 40) ends ≥ 1e-3 away from the constant run after 70 steps', async () => {
    await withDevice(async ({ device }) => {
      const constant = validateConfig({ layers: [5, 17, 3], batch: 7, lr: 0.05, lambda: 0.01, seed: 11 });
      const stepped = validateConfig({ ...constant, schedule: 'step', stepEvery: 40, stepGamma: 0.5 });
      const weights: Float64Array[][] = [];
      for (const config of [constant, stepped]) {
        const t = await createGpuTrainer(device, config, 'decay', makeDataset(config));
        await t.setParameters(initialParameters(config));
        await t.train(STEPS);
        weights.push((await t.getParameters()).weights);
        t.dispose();
      }
      expect(Math.min(...agreement(weights[1], weights[0]).weightGap)).toBeGreaterThan(1e-3);
    });
  });
});
