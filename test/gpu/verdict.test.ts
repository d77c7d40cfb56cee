/**
 * The L2-vs-decay verdict against the measured rounding floor (docs/RULES.md, "Rounding floor and verdict"),
 * through the runner on a real device: at an odd size (no dimension a multiple of any tile),
 * SGD is "the same map" and Adam "drifts", for tanh/MSE and ReLU/CE; a diverged run is neither.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/bench/runner';
import type { AgreementRow } from '../../src/bench/results';
import { checkGpuFit, createGpuTrainer } from '../../src/gpu/index';
import type { AcquiredDevice } from '../../src/gpu/device';
import type { MlpConfig } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import { SAME_MAX_RATIO } from '../../src/model/verdict';
import { openDevice } from './fixture';

let acquired: AcquiredDevice | null = null;
afterAll(() => acquired?.device.destroy());

/** The GPU's L2-vs-decay agreement row after a run of `config` on the GPU alone. */
async function gpuPair(config: Partial<MlpConfig>, steps = 60): Promise<AgreementRow> {
  acquired ??= await openDevice();
  const { device, adapter, limits, hasTimestamps } = acquired;
  const r = await runBenchmark({
    config: validateConfig({ layers: [9, 33, 17, 5], batch: 13, steps: 60, ...config }),
    backends: ['gpu'],
    recordEvery: 20,
    factories: { gpu: (cfg, variant, data) => createGpuTrainer(device, cfg, variant, data) },
    gpu: { device, adapter, limits, hasTimestamps },
    checkGpuFit,
  });
  // The twin is not a row: only the two variants are.
  expect(r.results.map((row) => `${row.backend} ${row.variant} ${row.skipped}`)).toEqual(['gpu l2 null', 'gpu decay null']);
  const pair = r.agreement.find((a) => a.a.backend === 'gpu' && a.b.backend === 'gpu')!;
  expect(pair.step).toBe(steps);
  return pair;
}

describe('the verdict on the GPU at an odd size', () => {
  it.each([
    ['tanh', 'mse'],
    ['relu', 'ce'],
  ] as const)('SGD %s/%s: the same map, within the rounding floor', async (activation, loss) => {
    const pair = await gpuPair({ optimizer: 'sgd', activation, loss });
    expect(pair.verdict, JSON.stringify(pair)).toMatch(/^(same|identical)$/);
    expect(pair.floorRatio).toBeLessThanOrEqual(SAME_MAX_RATIO);
    // The floor was measured (a one-ulp twin moves the weights) and is rounding-sized.
    expect(Math.max(...pair.floorWeightGap!)).toBeGreaterThan(0);
    expect(Math.max(...pair.floorWeightGap!)).toBeLessThan(1e-4);
  });

  it.each([
    ['adam', 'tanh', 'mse'],
    ['adam', 'relu', 'ce'],
    ['momentum', 'relu', 'ce'],
  ] as const)('%s %s/%s: they drift, far beyond the rounding floor', async (optimizer, activation, loss) => {
    const pair = await gpuPair({ optimizer, activation, loss, lambda: 0.01 });
    expect(pair.verdict, JSON.stringify(pair)).toBe('drift');
    expect(pair.floorRatio).toBeGreaterThan(10 * SAME_MAX_RATIO);
  });

  // Under a schedule (docs/RULES.md, Schedules): decay that tracks η_t is still L2's map; a fixed α = η_0·λ is not.
  it.each(['step', 'cosine'] as const)('SGD under a %s schedule: "same" with decay tracking it, "drift" with a fixed α', async (schedule) => {
    const run = { optimizer: 'sgd', lr: 0.05, lambda: 0.01, schedule, stepEvery: 20, stepGamma: 0.3 } as const;
    const tracks = await gpuPair({ ...run, decaySchedule: 'tracks' });
    expect(tracks.verdict, JSON.stringify(tracks)).toMatch(/^(same|identical)$/);
    const fixed = await gpuPair({ ...run, decaySchedule: 'fixed' });
    expect(fixed.verdict, JSON.stringify(fixed)).toBe('drift');
    expect(fixed.floorRatio).toBeGreaterThan(10 * SAME_MAX_RATIO);
  });

  it('a diverged run gets "diverged", never "same"', async () => {
    // NaN/Inf by the first record (step 20): the cells stop there and are compared there.
    const pair = await gpuPair({ optimizer: 'sgd', lr: 1e6, activation: 'relu' }, 20);
    expect(pair.verdict).toBe('diverged');
    expect(pair.floorRatio).toBeNull();
  });
});
