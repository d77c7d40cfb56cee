/**
 * The sweep budget cascade (issue 10 item 14): one noisy early measurement must not make the
 * runner skip the widths after it on a stale predicted rate, and a run that skipped cells for
 * the budget says so in `stopped`.
 */
import { describe, expect, it } from 'vitest';
import type { TrainerFactory } from '../../src/bench/runner';
import { runBenchmark } from '../../src/bench/runner';
import { validateConfig } from '../../src/model/config';
import { delayedReference } from '../support/delayed-trainer';

/** The reference trainer, with one 400 ms stall on the very first step of the run (a GC pause, a busy core). */
function noisyOnce(): TrainerFactory {
  let stalled = false;
  return delayedReference(() => {
    if (stalled) return 0;
    stalled = true;
    return 400;
  });
}

describe('time budget after a noisy first cell', () => {
  it('the widths after it still run (re-measured), and the run says why cells were skipped', async () => {
    const sweep = [4, 5, 6, 7, 8, 9];
    const r = await runBenchmark({
      config: validateConfig({ layers: [6, 10, 4], batch: 8, steps: 20 }),
      backends: ['reference'],
      factories: { reference: noisyOnce() },
      gpu: null,
      sweep,
      // 2.5 s for two cells per width, × 1.5 for the decay variant's rounding twin (a third cell).
      maxSeconds: 3.75,
      recordEvery: 4,
    });
    const later = r.results.filter((row) => row.width !== 4);
    expect(later.map((row) => row.skipped)).toEqual(later.map(() => null));
    // The stalled width itself may have been refused; if it was, the run says so.
    const refused = r.results.filter((row) => row.skipped !== null);
    if (refused.length > 0) expect(r.stopped).toMatch(/^time budget of 3\.75 s/);
  }, 20_000);

  it('cells refused up front as over the budget set `stopped`, with the count', async () => {
    const slow = delayedReference((n) => 5 * n);
    const r = await runBenchmark({
      config: validateConfig({ layers: [6, 10, 4], batch: 8, steps: 20 }),
      backends: ['reference'],
      factories: { reference: slow },
      gpu: null,
      sweep: [4, 1000],
      maxSeconds: 1.5,
      recordEvery: 4,
    });
    expect(r.results.filter((row) => row.skipped?.startsWith('over the time budget'))).toHaveLength(2);
    expect(r.stopped).toMatch(/^time budget of 1\.5 s(: | spent; )2 of 4 cells skipped as predicted over their share of it$/);
  }, 20_000);
});
