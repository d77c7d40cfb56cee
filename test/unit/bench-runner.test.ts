/**
 * The runner end to end on the float64 reference backend (no GPU needed): agreement under SGD,
 * drift under Adam, cancel, skips, NaN detection, the time budget. Small layers: two shared cores.
 */
import { describe, expect, test } from 'vitest';
import type { RunnerOptions, TrainerFactory } from '../../src/bench/runner';
import { runBenchmark, sweepLayers } from '../../src/bench/runner';
import type { BenchResults } from '../../src/bench/results';
import { createReferenceTrainer } from '../../src/cpu/reference';
import type { MlpConfig } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import { delayedReference } from '../support/delayed-trainer';

const reference: TrainerFactory = createReferenceTrainer;

function options(config: Partial<MlpConfig>, extra: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    config: validateConfig({ layers: [6, 10, 4], batch: 8, steps: 40, ...config }),
    backends: ['reference'],
    factories: { reference },
    gpu: null,
    ...extra,
  };
}

const maxOf = (xs: number[]) => Math.max(...xs);

/** A reference trainer that also sleeps `ms` per step: a slow backend for budget tests. */
const slow = (ms: number): TrainerFactory => delayedReference((steps) => ms * steps);

describe('runBenchmark on the reference backend', () => {
  test('SGD: L2 at λ and decay at α = η·λ agree to rounding, per layer, all along', async () => {
    const r = await runBenchmark(options({ optimizer: 'sgd', steps: 60 }));
    expect(r.schema).toBe('l2wd-bench/1');
    expect(r.config.alpha).toBeCloseTo(r.config.lr * r.config.lambda, 18);
    expect(r.results.map((row) => [row.backend, row.variant, row.skipped])).toEqual([
      ['reference', 'l2', null],
      ['reference', 'decay', null],
    ]);
    const [a] = r.agreement;
    expect(a).toMatchObject({ a: { backend: 'reference', variant: 'l2' }, b: { backend: 'reference', variant: 'decay' }, step: 60, width: null });
    expect(a.normGap).toHaveLength(2);
    expect(maxOf(a.normGap)).toBeLessThanOrEqual(1e-12);
    expect(maxOf(a.weightGap)).toBeLessThanOrEqual(1e-12);
    expect(a.normGapHistory!.length).toBeGreaterThan(5);
    expect(maxOf(a.normGapHistory!.flat())).toBeLessThanOrEqual(1e-12);
  });

  test('Adam: the two regularizers drift apart (≫ rounding)', async () => {
    const r = await runBenchmark(options({ optimizer: 'adam', steps: 60, lambda: 0.01 }));
    expect(maxOf(r.agreement[0].weightGap)).toBeGreaterThan(1e-6);
  });

  test('the verdict: SGD "same" and Adam "drift" against the floor of a one-ulp twin that runs at the same steps and is not a row', async () => {
    const sgd = await runBenchmark(options({ optimizer: 'sgd', steps: 60 }));
    const adam = await runBenchmark(options({ optimizer: 'adam', steps: 60 }));
    for (const r of [sgd, adam]) {
      expect(r.results).toHaveLength(2);
      const [a] = r.agreement;
      expect(a.floorNormGap).toHaveLength(2);
      expect(a.floorWeightGap).toHaveLength(2);
      // A float64 twin one ulp away: the floor is rounding-sized, and not zero.
      expect(maxOf(a.floorWeightGap!)).toBeGreaterThan(0);
      expect(maxOf(a.floorWeightGap!)).toBeLessThan(1e-12);
    }
    expect(sgd.agreement[0].verdict).toMatch(/^(same|identical)$/);
    expect(sgd.agreement[0].floorRatio).toBeLessThanOrEqual(30);
    expect(adam.agreement[0].verdict).toBe('drift');
    expect(adam.agreement[0].floorRatio).toBeGreaterThan(1e3);
  });

  test('the verdict of a diverged pair is "diverged", never "same"', async () => {
    const r = await runBenchmark(options({ lr: 1e6, steps: 40, activation: 'relu' }, { recordEvery: 2 }));
    expect(r.agreement[0].verdict).toBe('diverged');
    expect(r.agreement[0].floorRatio).toBeNull();
  });

  test('0/0: with η = 1e-30 and λ = 1e30 the gaps are finite numbers, not NaN (issue 10.5)', async () => {
    const r = await runBenchmark(options({ lr: 1e-30, lambda: 1e30, steps: 10 }));
    const [a] = r.agreement;
    for (const g of [...a.normGap, ...a.weightGap]) expect(Number.isNaN(g)).toBe(false);
    expect(a.verdict).not.toBe('diverged');
  });

  test('rows carry timings, losses and norms recorded every k steps', async () => {
    const r = await runBenchmark(options({ steps: 40 }, { recordEvery: 8 }));
    for (const row of r.results) {
      expect(row.normSteps).toEqual([8, 16, 24, 32, 40]);
      expect(row.norms).toHaveLength(5);
      expect(row.norms[0]).toHaveLength(2);
      expect(row.trainLoss).toHaveLength(5);
      expect(row.steps).toBe(40);
      expect(row.chunkSteps).toBe(8);
      expect(row.warmupSteps).toBe(2);
      expect(row.timer).toBe('wall');
      expect(row.stepMs!.p10).toBeLessThanOrEqual(row.stepMs!.median);
      expect(row.stepMs!.median).toBeLessThanOrEqual(row.stepMs!.p90);
      expect(row.samplesPerSec).toBeCloseTo((8 * 1000) / row.stepMs!.median, 6);
      expect(row.gflops).toBeGreaterThan(0);
      expect(Number.isFinite(row.finalLoss!)).toBe(true);
      expect(row.finalLoss).toBe(row.trainLoss!.at(-1));
    }
  });

  test('warm-up stays out of the figures: every cell starts from the shared initial parameters', async () => {
    // Same config, different warm-up: identical trajectories.
    const a = await runBenchmark(options({ steps: 12 }, { warmupSteps: 0 }));
    const b = await runBenchmark(options({ steps: 12 }, { warmupSteps: 5 }));
    expect(b.results[0].norms).toEqual(a.results[0].norms);
    expect(b.results[1].trainLoss).toEqual(a.results[1].trainLoss);
  });

  test('no GPU context: GPU cells are skipped with the reason, the others still run', async () => {
    const r = await runBenchmark(options({}, { backends: ['gpu', 'reference'], factories: { reference, gpu: reference } }));
    const gpuRows = r.results.filter((row) => row.backend === 'gpu');
    expect(gpuRows.map((row) => row.skipped)).toEqual(['no WebGPU adapter', 'no WebGPU adapter']);
    expect(r.results.filter((row) => row.backend === 'reference').every((row) => row.skipped === null)).toBe(true);
    expect(r.adapter).toBeNull();
    // Only the comparison whose sides both ran.
    expect(r.agreement.map((a) => `${a.a.backend}/${a.b.backend}`)).toEqual(['reference/reference']);
  });

  test('a backend with no factory, and a factory that throws, are skipped saying why', async () => {
    const broken: TrainerFactory = () => {
      throw new Error('kaboom');
    };
    const r = await runBenchmark(options({}, { backends: ['cpu', 'reference'], factories: { reference: broken } }));
    expect(r.results.map((row) => row.skipped)).toEqual([
      'the cpu backend is not available in this build',
      'the cpu backend is not available in this build',
      'failed: kaboom',
      'failed: kaboom',
    ]);
    expect(r.agreement).toEqual([]);
  });

  test('sweep: each width replaces every hidden width; cpuMaxWidth skips CPU backends above it', async () => {
    expect(sweepLayers([6, 10, 10, 4], 3)).toEqual([6, 3, 3, 4]);
    const r = await runBenchmark(options({ layers: [6, 10, 10, 4], steps: 10 }, { sweep: [3, 12, 5], cpuMaxWidth: 8 }));
    expect(r.sweep).toEqual([3, 12, 5]);
    expect(r.results.map((row) => [row.width, row.variant, row.skipped])).toEqual([
      [3, 'l2', null],
      [3, 'decay', null],
      [12, 'l2', 'widest layer 12 is over the CPU width limit of 8 (cpuMaxWidth)'],
      [12, 'decay', 'widest layer 12 is over the CPU width limit of 8 (cpuMaxWidth)'],
      [5, 'l2', null],
      [5, 'decay', null],
    ]);
    // The sweep went on after the skipped width, with an agreement row per width that ran.
    expect(r.agreement.map((a) => a.width)).toEqual([3, 5]);
    expect(r.results[4].norms[0]).toHaveLength(3);
  });

  test('AbortSignal: stops after the chunk in flight and returns what was measured', async () => {
    const controller = new AbortController();
    let partials = 0;
    const r = await runBenchmark(options({ steps: 400 }, { recordEvery: 4, factories: { reference: slow(1) } }), {
      signal: controller.signal,
      onPartial: () => {
        partials++;
        if (partials === 3) controller.abort();
      },
    });
    expect(r.stopped).toBe('cancelled');
    const [first, second] = r.results;
    expect(first.skipped).toBeNull();
    expect(first.steps).toBeGreaterThan(0);
    expect(first.steps).toBeLessThan(400);
    expect(first.note).toMatch(/^cancelled after \d+ of 400 steps$/);
    expect(first.stepMs).not.toBeNull();
    expect(second.skipped).toBe('cancelled');
  });

  test('progress counts up to the total and the partial results grow', async () => {
    const seen: { done: number; total: number }[] = [];
    const partial: BenchResults[] = [];
    await runBenchmark(options({ steps: 20 }, { recordEvery: 5 }), {
      onProgress: (p) => seen.push(p),
      onPartial: (p) => partial.push(p),
    });
    // Two variants and the decay variant's rounding twin, 20 steps each.
    expect(seen.at(-1)).toMatchObject({ done: 60, total: 60 });
    expect(seen.every((p, i) => i === 0 || p.done >= seen[i - 1].done)).toBe(true);
    expect(partial.length).toBeGreaterThan(4);
    // Copies, not the live object: an early snapshot keeps its early state.
    expect(partial[0].results[0].norms.length).toBeLessThan(partial.at(-1)!.results[0].norms.length);
  });

  test('NaN/Inf: the cell records the step and stops', async () => {
    const r = await runBenchmark(options({ lr: 1e6, steps: 40, activation: 'relu' }, { recordEvery: 2 }));
    for (const row of r.results) {
      expect(row.nonFiniteAtStep).toBeGreaterThan(0);
      expect(row.steps).toBe(row.nonFiniteAtStep);
      expect(row.note).toMatch(/NaN\/Inf first seen at step/);
    }
  });

  test('time budget: a slow backend runs fewer steps and the row says so', async () => {
    const r = await runBenchmark(options({ steps: 400 }, { maxSeconds: 1.2, recordEvery: 8, factories: { reference: slow(5) } }));
    const [first, second] = r.results;
    expect(first.note).toMatch(/^ran \d+ of 400 steps to fit the time budget/);
    for (const row of r.results) {
      expect(row.skipped).toBeNull();
      // How many fit depends on the machine's load; that it is some, and fewer than asked, does not.
      expect(row.steps).toBeGreaterThan(1);
      expect(row.steps).toBeLessThan(400);
    }
    // The second variant gets the same plan; on a loaded machine the hard deadline may cut it a little shorter.
    expect(second.note).toMatch(/^(ran \d+ of 400 steps to fit the time budget|stopped after \d+ of \d+ steps: time budget)/);
    expect(r.elapsedSeconds).toBeLessThan(3);
    // Both variants ran the same reduced plan, so they are compared at the step both reached.
    if (first.steps === second.steps) expect(r.agreement[0].step).toBe(first.steps);
  });

  test('time budget: a width predicted (from the last measured rate) to blow its share is refused for both variants alike', async () => {
    // 5 ms per step at width 4 is read as a rate in GFLOP/s; width 1000 has ~250× the FLOPs.
    const r = await runBenchmark(options({ steps: 20 }, { sweep: [4, 1000], maxSeconds: 1.5, recordEvery: 4, factories: { reference: slow(5) } }));
    const wide = r.results.filter((row) => row.width === 1000);
    expect(wide[0].skipped).toMatch(
      /^over the time budget: 2 steps would take ≈.* \(at .* GFLOP\/s, measured at width 4\), and .* are left for this cell$/,
    );
    expect(wide[1].skipped).toBe(wide[0].skipped);
    expect(r.results.filter((row) => row.width === 4).every((row) => row.skipped === null)).toBe(true);
  });

  test('a huge width is refused before allocating the float64 initial parameters', async () => {
    const r = await runBenchmark(options({ layers: [6, 10, 10, 4] }, { sweep: [100_000], cpuMaxWidth: null }));
    expect(r.results[0].skipped).toMatch(/initial parameters .* need .* GiB of host memory in float64; the limit is 2(\.0)? GiB/);
  });

  test('a bad sweep is an error, not a skipped row', async () => {
    await expect(runBenchmark(options({ layers: [6, 4] }, { sweep: [8] }))).rejects.toThrow(/has none|have none/);
  });
});
