/** The page's pure logic (no DOM): form validation, URL round trip, presets, chart data. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/model/config';
import {
  crossover,
  finiteOrNull,
  forLog,
  gapPairs,
  metricOf,
  noisyRowsText,
  speedUpWithSpread,
  stepTimeOrigin,
  sweepStandingText,
  worst,
} from '../../src/ui/chart-data';
import { fmtAbout, fmtEta, fmtMs, fmtSci } from '../../src/bench/format';
import { PRESETS } from '../../src/ui/presets';
import { DEFAULT_DRAFT, checkDraft, draftFromQuery, draftToQuery, queryNotices } from '../../src/ui/run-draft';
import { sweepLayers } from '../../src/bench/run-plan';
import type { BenchResults, ResultRow } from '../../src/bench/results';
import { emptyRow } from '../../src/bench/results';

const SWIFTSHADER = { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30 };

describe('checkDraft', () => {
  it('accepts the defaults and every preset', () => {
    expect(checkDraft(DEFAULT_DRAFT, SWIFTSHADER).errors).toEqual({});
    for (const p of PRESETS) expect(checkDraft(p.draft, SWIFTSHADER).errors, p.id).toEqual({});
  });

  it.each([
    ['0,8', /width 1 \(0\)/],
    ['16,abc,8', /width 2 \("abc"\)/],
    ['16,-3,8', /width 2 \(-3\)/],
    ['16,2.5,8', /width 2 \(2.5\)/],
    ['16', /from 2 to/],
    ['', /type the widths/],
  ])('names the bad width in layers = %j', (layers, message) => {
    const { errors, request } = checkDraft({ ...DEFAULT_DRAFT, layers }, SWIFTSHADER);
    expect(request).toBeUndefined();
    expect(errors.layers).toMatch(message);
  });

  it('rejects a layer beyond the device limit only when the GPU is asked for', () => {
    const big = { ...DEFAULT_DRAFT, layers: '16,20000,20000,8' };
    expect(checkDraft(big, SWIFTSHADER).errors.layers).toMatch(
      /^layers: does not fit this GPU: .*1\.5 GiB; max(StorageBufferBinding|Buffer)Size is 1(\.0)? GiB/,
    );
    // Without the GPU the CPU guard speaks instead (400 M parameters will not fit in a tab).
    expect(checkDraft({ ...big, backends: ['cpu'] }, SWIFTSHADER).errors.layers).toMatch(/too large for the cpu backend/);
    expect(checkDraft({ ...DEFAULT_DRAFT, layers: '16,2000,8', backends: ['cpu'] }, SWIFTSHADER).errors).toEqual({});
  });

  it('a swept width over the device limits is skipped there, with its reason, and the others run', () => {
    const d = { ...DEFAULT_DRAFT, layers: '16,32,32,8', sweep: '64,1024,32768' };
    const { request, errors, skips } = checkDraft(d, SWIFTSHADER);
    expect(errors).toEqual({});
    expect(request?.sweep).toEqual([64, 1024, 32768]);
    expect(skips.map((s) => [s.width, s.backend])).toEqual([
      [32768, 'gpu'],
      [32768, 'cpu'],
    ]);
    expect(skips[0].reason).toMatch(/GiB/);
    expect(skips[1].reason).toMatch(/parameters is over the CPU limit of 25,000,000/);
    // Nothing left to run: then it is an error.
    expect(checkDraft({ ...d, sweep: '32768' }, SWIFTSHADER).errors.sweep).toMatch(
      /^sweep: no swept width fits any ticked backend \(width 32768 on gpu: /,
    );
    expect(checkDraft({ ...d, sweep: '64,x' }, SWIFTSHADER).errors.sweep).toMatch(/sweep: width "x"/);
    expect(checkDraft({ ...d, sweep: '128, 64,64' }, SWIFTSHADER).request?.sweep).toEqual([64, 128]);
    expect(checkDraft({ ...d, layers: '16,8', sweep: '64' }, SWIFTSHADER).errors.sweep).toMatch(/have none \(give at least input,hidden,output\)/);
  });

  it('quotes 1e-400 and a 5000-digit number as typed', () => {
    expect(checkDraft({ ...DEFAULT_DRAFT, lr: '1e-400' }, null).errors.lr).toBe('lr = "1e-400": must be a finite number > 0');
    expect(checkDraft({ ...DEFAULT_DRAFT, lr: '9'.repeat(5000) }, null).errors.lr).toMatch(/^lr = "9{40}…": must be/);
  });

  it('needs a backend and quotes non-numbers as typed', () => {
    expect(checkDraft({ ...DEFAULT_DRAFT, backends: [] }, null).errors.backends).toMatch(/at least one/);
    expect(checkDraft({ ...DEFAULT_DRAFT, lr: 'fast' }, null).errors.lr).toBe('lr = "fast": must be a finite number > 0');
    expect(checkDraft({ ...DEFAULT_DRAFT, steps: '1e3' }, null).request?.config.steps).toBe(1000);
  });
});

describe('URL query', () => {
  it('round-trips every preset', () => {
    for (const p of PRESETS) {
      const back = draftFromQuery(draftToQuery(p.draft));
      expect(draftToQuery(back)).toBe(draftToQuery(p.draft));
      expect(checkDraft(back, SWIFTSHADER).request?.config).toEqual(checkDraft(p.draft, SWIFTSHADER).request?.config);
    }
  });

  it('carries the schedule and its decay convention, and the form names a bad step setting', () => {
    const draft = { ...DEFAULT_DRAFT, schedule: 'step', stepEvery: '25', stepGamma: '0.5', decaySchedule: 'fixed' };
    const query = draftToQuery(draft);
    expect(query).toContain('schedule=step&stepEvery=25&stepGamma=0.5&decaySchedule=fixed');
    expect(checkDraft(draftFromQuery(query), SWIFTSHADER).request?.config).toMatchObject({
      schedule: 'step',
      stepEvery: 25,
      stepGamma: 0.5,
      decaySchedule: 'fixed',
    });
    // A constant schedule keeps links as short as before.
    expect(draftToQuery(DEFAULT_DRAFT)).not.toContain('schedule');
    expect(checkDraft({ ...draft, stepGamma: '0' }, SWIFTSHADER).errors.stepGamma).toBe('stepGamma = 0: must be a number in (0, 1]');
    expect(checkDraft({ ...draft, stepEvery: '1.5' }, SWIFTSHADER).errors.stepEvery).toMatch(/^stepEvery = 1.5: must be an integer from 1/);
    expect(queryNotices('?schedule=linear&decaySchedule=both')).toEqual([
      'schedule = "linear" is not one of constant, step, cosine',
      'decaySchedule = "both" is not one of tracks, fixed',
    ]);
  });

  it('keeps what was typed, valid or not, and drops unknown backends', () => {
    const d = draftFromQuery('?layers=8,abc&backend=gpu,tpu,cpu&baseline=0');
    expect(d.layers).toBe('8,abc');
    expect(d.backends).toEqual(['gpu', 'cpu']);
    expect(d.baseline).toBe(false);
    expect(d.lr).toBe(String(DEFAULT_CONFIG.lr));
  });

  it('says what it could not take from a link, and nothing for a clean one', () => {
    expect(queryNotices('?' + draftToQuery(DEFAULT_DRAFT))).toEqual([]);
    expect(queryNotices('?layerz=8&backend=gpu,tpu&optimizer=sgdd&baseline=maybe')).toEqual([
      'ignored unknown key "layerz"',
      'backend "tpu" dropped (known: gpu, cpu, reference)',
      'optimizer = "sgdd" is not one of sgd, momentum, adam',
      'baseline = "maybe" read as on (use true or false)',
    ]);
  });
});

function row(width: number | null, backend: 'gpu' | 'cpu', variant: 'l2' | 'decay', ms: number, norms: number[][]): ResultRow {
  return {
    ...emptyRow(width, backend, variant),
    stepMs: { median: ms, p10: ms, p90: ms },
    timer: 'wall',
    samplesPerSec: 1,
    gflops: 1,
    finalLoss: 1,
    norms,
    normSteps: norms.map((_, k) => (k + 1) * 10),
    skipped: null,
  };
}

function results(rows: ResultRow[]): BenchResults {
  return {
    schema: 'l2wd-bench/1',
    adapter: null,
    limits: null,
    config: { ...DEFAULT_CONFIG, layers: [...DEFAULT_CONFIG.layers], alpha: 1e-5 },
    results: rows,
    agreement: [],
  };
}

describe('chart data', () => {
  it('finds the crossover in log-log space, or says who wins throughout', () => {
    const r = results([64, 256, 1024].flatMap((w) => [row(w, 'gpu', 'l2', 4, [[1]]), row(w, 'cpu', 'l2', w / 64, [[1]])]));
    // cpu/gpu = 0.25, 1, 4: the ratio crosses 1 exactly at 256.
    expect(crossover(r).width).toBeCloseTo(256, 6);
    const cpuWins = results([64, 256].flatMap((w) => [row(w, 'gpu', 'l2', 100, [[1]]), row(w, 'cpu', 'l2', 1, [[1]])]));
    expect(crossover(cpuWins)).toEqual({ width: null, smallest: 'cpu', largest: 'cpu', throughout: 'cpu' });
    // GPU ahead at the small width, CPU at the large one: no GPU crossover, and no single winner.
    const mixed = results([8, 32].flatMap((w) => [row(w, 'gpu', 'l2', 1, [[1]]), row(w, 'cpu', 'l2', w === 8 ? 2 : 0.5, [[1]])]));
    expect(crossover(mixed)).toEqual({ width: null, smallest: 'gpu', largest: 'cpu', throughout: null });
  });

  it("reads gap pairs and their history from the runner's agreement rows, and lets NaN through as NaN, never as a number on the chart", () => {
    const r = results([
      row(null, 'gpu', 'l2', 1, [
        [2, 4],
        [2, Number.NaN],
      ]),
      row(null, 'gpu', 'decay', 1, [
        [2, 4.4],
        [2, 4],
      ]),
    ]);
    // No agreement row yet (the runner compares once both runs finished): no pair, nothing recomputed here.
    expect(gapPairs(r, null)).toEqual([]);
    r.agreement.push({
      width: null,
      a: { backend: 'gpu', variant: 'l2' },
      b: { backend: 'gpu', variant: 'decay' },
      normGap: [0, Number.NaN],
      weightGap: [0, Number.NaN],
      normGapHistory: [
        [0, 0.4 / 4.4],
        [0, Number.NaN],
      ],
      historySteps: [10, 20],
      step: 20,
      floorNormGap: [1e-9, 1e-9],
      floorWeightGap: [1e-7, 1e-7],
      floorRatio: null,
      verdict: 'diverged',
    });
    const [pair] = gapPairs(r, null);
    expect(pair).toMatchObject({ id: 'gpu-l2-decay', kind: 'regularizer', verdict: 'diverged', floorRatio: null, floorWeightGap: 1e-7, step: 20 });
    expect(pair.history[0]).toBeCloseTo(0.4 / 4.4, 12);
    expect(pair.history[1]).toBeNull();
    expect(Number.isNaN(pair.finalNormGap)).toBe(true);
    expect(worst([1, Number.NaN, 3])).toBeNaN();
    expect(finiteOrNull(Number.POSITIVE_INFINITY)).toBeNull();
    expect(forLog(0, 1e-17)).toBe(1e-17);
  });

  it('states a speed-up with the range its spreads allow, and says when they overlap or the same work differs', () => {
    const timed = (backend: 'gpu' | 'cpu', variant: 'l2' | 'decay', median: number, p10: number, p90: number) => ({
      ...row(null, backend, variant, median, [[1]]),
      stepMs: { median, p10, p90 },
    });
    const clear = speedUpWithSpread(
      results([timed('gpu', 'l2', 1, 0.9, 1.1), timed('gpu', 'decay', 1, 0.9, 1.1), timed('cpu', 'l2', 10, 9, 11), timed('cpu', 'decay', 10, 9, 11)]),
      null,
    )!;
    expect(clear.ratio).toBeCloseTo(10, 12);
    expect(clear.low).toBeCloseTo(9 / 1.1, 12);
    expect(clear.high).toBeCloseTo(11 / 0.9, 12);
    expect(clear).toMatchObject({ meaningful: true, noisy: [] });
    const overlap = speedUpWithSpread(results([timed('gpu', 'l2', 1, 0.5, 3), timed('cpu', 'l2', 2, 1, 4), timed('cpu', 'decay', 4.6, 1, 9)]), null)!;
    expect(overlap.meaningful).toBe(false);
    expect(overlap.noisy).toEqual([{ backend: 'cpu', factor: 2.3 }]);
    // Two noisy backends read as one sentence: a capital only at its start.
    expect(
      noisyRowsText([
        { backend: 'gpu', factor: 1.7 },
        { backend: 'cpu', factor: 1.77 },
      ]),
    ).toBe('The GPU L2 and decay rows, which do the same work, differ 1.7×; the CPU L2 and decay rows, which do the same work, differ 1.77×');
  });

  it('says who is faster across a sweep only where the spreads allow it, not from medians alone', () => {
    const at = (width: number, backend: 'gpu' | 'cpu', median: number, p10: number, p90: number) => ({
      ...row(width, backend, 'l2', median, [[1]]),
      stepMs: { median, p10, p90 },
    });
    // The CPU's medians win at both widths, but at 256 the spreads overlap: no "faster at every width".
    const overlapAt256 = results([at(64, 'gpu', 10, 9, 11), at(64, 'cpu', 1, 0.9, 1.1), at(256, 'gpu', 10, 5, 20), at(256, 'cpu', 8, 4, 16)]);
    expect(crossover(overlapAt256).throughout).toBe('cpu');
    expect(sweepStandingText(overlapAt256)).toBe(
      'The CPU is reliably faster at width 64; at width 256 the p10–p90 spreads overlap, so neither is reliably faster there.',
    );
    const clear = results([at(64, 'gpu', 10, 9, 11), at(64, 'cpu', 1, 0.9, 1.1), at(256, 'gpu', 10, 9, 11), at(256, 'cpu', 2, 1.8, 2.2)]);
    expect(sweepStandingText(clear)).toBe('The CPU is faster at every width tried, beyond the p10–p90 spreads: try larger widths.');
    const noisy = results([at(64, 'gpu', 1, 0.5, 2), at(64, 'cpu', 1.1, 0.5, 2), at(256, 'gpu', 1, 0.5, 2), at(256, 'cpu', 0.9, 0.5, 2)]);
    expect(sweepStandingText(noisy)).toBe('At every width tried the p10–p90 spreads overlap: neither backend is reliably faster.');
    const both = results([16, 64, 256, 1024].flatMap((w) => [at(w, 'gpu', 4, 3.9, 4.1), at(w, 'cpu', w / 64, (w / 64) * 0.95, (w / 64) * 1.05)]));
    // cpu/gpu = 1/16, 1/4, 1, 4: the CPU wins at 16 and 64, the GPU at 1024, and 256 is a tie.
    expect(sweepStandingText(both)).toBe(
      'The GPU is reliably faster at width 1024; the CPU at width 16 and 64; at width 256 the p10–p90 spreads overlap, so neither is reliably faster there.',
    );
    expect(sweepStandingText(results([at(64, 'gpu', 1, 1, 1)]))).toBe('Needs GPU and CPU timings at the same widths to compare them.');
  });

  it("names the two medians behind a single run's step time, calls a same-work gap noise, and keeps the rates consistent with it", () => {
    const timed = (variant: 'l2' | 'decay', ms: number) => ({ ...row(null, 'cpu', variant, ms, [[1]]), samplesPerSec: 32_000 / ms, gflops: 2 / ms });
    const r = results([timed('l2', 1.59), timed('decay', 6.03)]);
    expect(metricOf(r, null, 'cpu', 'stepMs')).toBeCloseTo(3.81, 12);
    // 32 rows at the mean step time, not the mean of the two rates (12,700/s for a 3.81 ms step).
    expect(metricOf(r, null, 'cpu', 'samplesPerSec')).toBeCloseTo(32_000 / 3.81, 9);
    expect(metricOf(r, null, 'cpu', 'gflops')).toBeCloseTo(2 / 3.81, 12);
    expect(stepTimeOrigin(r, 'cpu', fmtMs)).toBe(
      'mean of the medians (L2 1.59 ms, decay 6.03 ms); they do the same work, so their 3.79× difference is timing noise',
    );
    expect(stepTimeOrigin(results([timed('l2', 1), timed('decay', 1.2)]), 'cpu', fmtMs)).toBe('mean of the medians (L2 1 ms, decay 1.2 ms)');
    expect(stepTimeOrigin(results([timed('l2', 1)]), 'cpu', fmtMs)).toBe('');
  });

  it('formats for people', () => {
    expect(fmtSci(3.14e-7)).toBe('3.1e-7');
    expect(fmtSci(Number.NaN)).toBe('NaN');
    expect(fmtMs(0.25)).toBe('250 µs');
    expect(fmtMs(1500)).toBe('1.5 s');
    expect(fmtEta(125)).toBe('2 min 5 s');
    expect(fmtAbout(125)).toBe('about 2 min 5 s');
    expect(fmtAbout(0.3)).toBe('under a second');
    expect(sweepLayers([16, 32, 32, 8], 64)).toEqual([16, 64, 64, 8]);
  });
});
