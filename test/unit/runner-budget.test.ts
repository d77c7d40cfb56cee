/**
 * The sweep budget cascade (issue 10 item 14): one noisy early measurement must not make the
 * runner skip the widths after it on a stale predicted rate, and a run that skipped cells for
 * the budget says so in `stopped`.
 */
import { describe, expect, it } from 'vitest';
import type { TrainerFactory } from '../../src/bench/runner';
import { runBenchmark } from '../../src/bench/runner';
import { createReferenceTrainer } from '../../src/cpu/reference';
import { validateConfig } from '../../src/model/config';
import type { Trainer } from '../../src/model/trainer';

/** The reference trainer, with one 400 ms stall on the very first step of the run (a GC pause, a busy core). */
function noisyOnce(): TrainerFactory {
  let stalled = false;
  return (config, variant, data) => {
    const inner = createReferenceTrainer(config, variant, data);
    const t: Trainer = {
      backend: inner.backend,
      variant,
      config: inner.config,
      get step() {
        return inner.step;
      },
      setParameters: (p) => inner.setParameters(p),
      getParameters: () => inner.getParameters(),
      train: async (n) => {
        if (!stalled) {
          stalled = true;
          await new Promise((r) => setTimeout(r, 400));
        }
        return inner.train(n);
      },
      norms: () => inner.norms(),
      losses: () => inner.losses(),
      dispose: () => inner.dispose(),
    };
    return t;
  };
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
      maxSeconds: 2.5,
      recordEvery: 4,
    });
    const later = r.results.filter((row) => row.width !== 4);
    expect(later.map((row) => row.skipped)).toEqual(later.map(() => null));
    // The stalled width itself may have been refused; if it was, the run says so.
    const refused = r.results.filter((row) => row.skipped !== null);
    if (refused.length > 0) expect(r.stopped).toMatch(/^time budget of 2\.5 s/);
  }, 20_000);

  it('cells refused up front as over the budget set `stopped`, with the count', async () => {
    const slow: TrainerFactory = (config, variant, data) => {
      const inner = createReferenceTrainer(config, variant, data);
      return Object.assign(Object.create(inner) as Trainer, {
        train: async (n: number) => {
          await new Promise((res) => setTimeout(res, 5 * n));
          return inner.train(n);
        },
      });
    };
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
