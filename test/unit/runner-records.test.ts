/**
 * Long runs (issue 10 item 8): live updates are incremental (a finished row is copied once, the
 * same copy handed out again) and a row keeps at most MAX_RECORDS_PER_ROW records, older ones
 * thinned first and the latest always kept, so the cost of a chunk does not grow with the run.
 */
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/bench/results';
import { MAX_RECORDS_PER_ROW } from '../../src/bench/results';
import type { TrainerFactory } from '../../src/bench/runner';
import { runBenchmark } from '../../src/bench/runner';
import { validateConfig } from '../../src/model/config';
import { initialParameters } from '../../src/model/parameters';
import type { Trainer } from '../../src/model/trainer';

/** A trainer that counts steps and does no arithmetic: the runner's own costs, alone. */
const counting: TrainerFactory = (config, variant) => {
  let step = 0;
  const t: Trainer = {
    backend: 'reference',
    variant,
    config,
    get step() {
      return step;
    },
    setParameters: async () => {
      step = 0;
    },
    getParameters: async () => initialParameters(config),
    train: async (n) => {
      step += n;
      return {};
    },
    norms: async () => config.layers.slice(1).map(() => 1 + step * 1e-6),
    losses: async () => ({ train: 1 / (1 + step), validation: 1 / (1 + step), trainAccuracy: Number.NaN, validationAccuracy: Number.NaN }),
    dispose: () => undefined,
  };
  return t;
};

describe('a run of many chunks', () => {
  // A small cap keeps the test fast; the default (MAX_RECORDS_PER_ROW) works the same way.
  const maxRecords = 64;
  const steps = 3 * maxRecords + 5;

  it('keeps at most MAX_RECORDS_PER_ROW records per row, old points thinned first, the last step kept; rows recorded alike thin alike', async () => {
    const partials: BenchResults[] = [];
    const r = await runBenchmark(
      {
        config: validateConfig({ layers: [2, 3, 1], batch: 1, steps }),
        backends: ['reference'],
        factories: { reference: counting },
        gpu: null,
        recordEvery: 1,
        warmupSteps: 0,
        maxRecords,
      },
      { onPartial: (p) => partials.push(p) },
    );
    for (const row of r.results) {
      expect(row.normSteps.length).toBeLessThanOrEqual(maxRecords);
      expect(row.normSteps.length).toBeGreaterThan(maxRecords / 4);
      expect(row.normSteps.at(-1)).toBe(steps);
      expect(row.norms).toHaveLength(row.normSteps.length);
      expect(row.trainLoss).toHaveLength(row.normSteps.length);
      expect(row.validationLoss).toHaveLength(row.normSteps.length);
      // Old points thinned first: the gaps between kept steps never widen towards the latest.
      const gaps = row.normSteps.slice(1).map((s, i) => s - row.normSteps[i]);
      gaps.forEach((g, i) => i === 0 || expect(g, `gap ${i}`).toBeLessThanOrEqual(gaps[i - 1]));
      expect(gaps.at(-1)).toBeLessThanOrEqual(2);
      // All chunks are timed, thinned records or not.
      expect(row.steps).toBe(steps);
    }
    expect(r.results[0].normSteps).toEqual(r.results[1].normSteps);
    expect(r.agreement[0].historySteps).toEqual(r.results[0].normSteps);

    // Incremental: once the first cell is done, every later partial hands out the same copy of its row.
    const firstDone = partials.findIndex((p) => p.results.length === 2);
    expect(firstDone).toBeGreaterThan(0);
    const later = partials.slice(firstDone);
    expect(later.length).toBeGreaterThan(steps / 2);
    for (const p of later) expect(p.results[0]).toBe(later[0].results[0]);
    // And a partial is still a copy: the row in flight is not the runner's live object.
    expect(partials[firstDone].results[1]).not.toBe(partials.at(-1)!.results[1]);
    expect(partials[firstDone].results[1].normSteps.length).toBeLessThan(partials.at(-1)!.results[1].normSteps.length);
  }, 60_000);

  it('refuses a cap above what an import accepts', async () => {
    await expect(
      runBenchmark({
        config: validateConfig({ layers: [2, 3, 1] }),
        backends: ['reference'],
        factories: { reference: counting },
        gpu: null,
        maxRecords: MAX_RECORDS_PER_ROW + 1,
      }),
    ).rejects.toThrow(`maxRecords = ${MAX_RECORDS_PER_ROW + 1}: must be an integer from 2 to ${MAX_RECORDS_PER_ROW}`);
  });
});
