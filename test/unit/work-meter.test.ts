/**
 * Progress weighted by work: the meter on its own, and the runner's progress through it (a
 * sweep on the float64 reference), against the step count it replaces.
 */
import { describe, expect, test } from 'vitest';
import type { RunProgress } from '../../src/bench/runner';
import { runBenchmark } from '../../src/bench/runner';
import { PRIOR_STEP_RATES, WorkMeter } from '../../src/bench/work-meter';
import { createReferenceTrainer } from '../../src/cpu/reference';
import { validateConfig } from '../../src/model/config';

describe('WorkMeter', () => {
  test('a wide cell weighs more than a narrow one of as many steps', () => {
    const m = new WorkMeter();
    m.add('small', 'reference', 1e3, 10);
    m.add('big', 'reference', 1e9, 10);
    m.trained('small', 10);
    const w = m.work();
    // Counting steps would say half done; the work left is the wide cell's.
    expect(w.done / w.total).toBeLessThan(0.01);
    expect(w.total).toBeCloseTo((10 * (PRIOR_STEP_RATES.reference.overheadMs + 1e9 / (0.3 * 1e6))) / 1000 + w.done, 6);
  });

  test('dropped steps leave the total instead of counting as done', () => {
    const m = new WorkMeter();
    m.add('a', 'cpu', 1e6, 10);
    m.add('b', 'cpu', 1e6, 10);
    m.trained('a', 10);
    m.dropped('b', 10);
    const w = m.work();
    expect(w.done).toBeGreaterThan(0);
    expect(w.total).toBeCloseTo(w.done, 12);
  });

  test('a measured step time replaces the prior for what is left', () => {
    const m = new WorkMeter();
    m.add('a', 'gpu', 2e9, 4);
    const before = m.work().total;
    m.measured('gpu', 2e9, 10); // 10 ms per step measured, far faster than the 2 GFLOP/s prior
    expect(m.work().total).toBeCloseTo(0.04, 6);
    expect(before).toBeGreaterThan(0.9);
    m.measured('gpu', 2e9, Number.NaN); // ignored
    expect(m.work().total).toBeCloseTo(0.04, 6);
  });
});

describe('runner progress', () => {
  test('a sweep: work reaches its total once, steps never exceed theirs, each cell is named before its first chunk', async () => {
    const seen: RunProgress[] = [];
    await runBenchmark(
      {
        config: validateConfig({ layers: [6, 10, 4], batch: 8, steps: 10 }),
        backends: ['reference'],
        sweep: [4, 64],
        factories: { reference: createReferenceTrainer },
        gpu: null,
        recordEvery: 5,
      },
      { onProgress: (p) => seen.push(p) },
    );
    expect(seen.every((p) => p.done <= p.total)).toBe(true);
    const last = seen.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(last.work.done).toBeCloseTo(last.work.total, 9);
    // Named from the start: the first report of each cell has no chunk done yet ("· step" comes later).
    for (const name of ['width 4 · reference l2', 'width 64 · reference decay']) expect(seen.find((p) => p.label.startsWith(name))?.label).toBe(name);
    // Work only grows: the bar never goes back.
    const fractions = seen.map((p) => (p.work.total > 0 ? p.work.done / p.work.total : 0));
    expect(seen.every((p, i) => i === 0 || p.work.done >= seen[i - 1].work.done)).toBe(true);
    expect(fractions.at(-1)).toBeCloseTo(1, 9);
  });
});
