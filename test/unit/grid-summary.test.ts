/**
 * The grid's axis syntax (src/bench/grid-axes.ts) and its summary logic (src/bench/grid-summary.ts)
 * on fixtures: best cells, "moves with the learning rate", and the pair comparison against the
 * rounding floor, divergence included.
 */
import { describe, expect, test } from 'vitest';
import { LR_AXIS, STRENGTH_AXIS, formatGridAxis, logSpace, parseGridAxis } from '../../src/bench/grid-axes';
import type { GridHeatmap, GridRun } from '../../src/bench/grid-results';
import { validateConfig } from '../../src/model/config';
import { bestCell, bestStrengthPerRow, comparePair, describeGridConfig, describeHeatmap, describePair, movement } from '../../src/bench/grid-summary';
import { SAME_MAX_RATIO, leastFloor } from '../../src/model/verdict';

describe('grid axes', () => {
  test('a..b:n is log-spaced with exact ends; a list is sorted', () => {
    expect(parseGridAxis('1e-3..1e0:4', LR_AXIS)).toEqual([0.001, 0.01, 0.1, 1]);
    const six = parseGridAxis('1e-3..1e-0:6', LR_AXIS);
    expect(six).toHaveLength(6);
    expect(six[0]).toBe(1e-3);
    expect(six[5]).toBe(1);
    expect(six[1]).toBeCloseTo(10 ** -2.4, 12);
    expect(parseGridAxis(' 0.1, 0.01 ,1 ', LR_AXIS)).toEqual([0.01, 0.1, 1]);
    expect(parseGridAxis('0,1e-3', STRENGTH_AXIS)).toEqual([0, 1e-3]);
    expect(logSpace(2, 8, 3)).toEqual([2, 4, 8]);
    expect(parseGridAxis(formatGridAxis(six), LR_AXIS)).toEqual(six);
  });

  test.each([
    ['', LR_AXIS, /empty: give a\.\.b:n/],
    ['1e-3..1:1', LR_AXIS, /count "1" in "1e-3\.\.1:1": must be an integer from 2 to 64/],
    ['1e-3..1:65', LR_AXIS, /from 2 to 64/],
    ['1e-3..1:2.5', LR_AXIS, /from 2 to 64/],
    ['1..1e-3:3', LR_AXIS, /the start must be below the end/],
    ['0..1:3', STRENGTH_AXIS, /start "0": a strength must be a finite number > 0/],
    ['1e-3..1', LR_AXIS, /a range is written a\.\.b:n/],
    ['0.1,,1', LR_AXIS, /an empty entry/],
    ['0.1,fast', LR_AXIS, /value "fast" is not a number/],
    ['0,0.1', LR_AXIS, /value "0": a learning rate must be a finite number > 0/],
    ['-1', STRENGTH_AXIS, /≥ 0/],
    // A number a float64 cannot hold is a number all the same: say what it would read as.
    ['1e-400', LR_AXIS, /value "1e-400" is beyond what a float64 holds \(it would read as 0\)/],
    ['0.1..1e400:3', LR_AXIS, /end "1e400" is beyond what a float64 holds \(it would read as Infinity\)/],
    ['0.1,0.10', LR_AXIS, /value 0.1 is listed twice/],
    [Array.from({ length: 65 }, (_, i) => i + 1).join(','), LR_AXIS, /65 values: at most 64/],
  ])('%j is refused, naming what is wrong', (text, rule, message) => {
    expect(() => parseGridAxis(text, rule)).toThrow(message);
  });
});

/** A heatmap from a matrix of validation losses (rows: η, columns: strength). */
function heatmap(losses: number[][], extra: Partial<GridHeatmap> = {}): GridHeatmap {
  const lrs = losses.map((_, i) => 10 ** (i - losses.length));
  const strengths = losses[0].map((_, j) => 10 ** (j - 5));
  return {
    backend: 'cpu',
    engine: 'test',
    optimizer: 'sgd',
    variant: 'l2',
    axis: 'lambda',
    cells: losses.flatMap((row, i) =>
      row.map((v, j) => ({
        lr: lrs[i],
        strength: strengths[j],
        lambda: strengths[j],
        alpha: lrs[i] * strengths[j],
        trainLoss: v,
        validationLoss: v,
        validationAccuracy: Number.NaN,
      })),
    ),
    twinValidationLoss: null,
    steps: 100,
    seconds: 1,
    modelStepsPerSec: 100,
    skipped: null,
    ...extra,
  };
}

const gridOf = (h: GridHeatmap, columns: number): GridRun => ({
  lrs: [...new Set(h.cells.map((c) => c.lr))],
  strengths: h.cells.slice(0, columns).map((c) => c.strength),
  optimizers: ['sgd'],
  backends: ['cpu'],
  conventions: ['alpha-over-lr', 'alpha'],
  heatmaps: [h],
});

describe('best cells and whether the best strength moves with the learning rate', () => {
  const diagonal = [
    [5, 4, 3, 1],
    [5, 3, 1, 2],
    [3, 1, 2, 4],
    [1, 2, 4, 5],
  ];
  test('a diagonal (L2 under Adam in the paper): the best strength falls as η grows', () => {
    const h = heatmap(diagonal);
    expect(bestStrengthPerRow(h, 4)).toEqual([3, 2, 1, 0]);
    expect(movement([3, 2, 1, 0])).toEqual({ moves: true, direction: 'down', changes: 3, transitions: 3 });
    expect(bestCell(h, 4)).toMatchObject({ row: 0, column: 3, validationLoss: 1 });
    expect(describeHeatmap(h, gridOf(h, 4))).toMatch(/the best λ falls as η grows \(changes at 3 of 3 steps in η\)/);
  });

  test('a separable landscape: the best strength stays put', () => {
    const h = heatmap([
      [3, 1, 2],
      [2.5, 0.5, 2],
      [4, 2, 3],
    ]);
    expect(movement(bestStrengthPerRow(h, 3))).toEqual({ moves: false, direction: null, changes: 0, transitions: 2 });
    expect(describeHeatmap(h, gridOf(h, 3))).toMatch(/best validation loss 0\.5 .* the best λ does not move with η \(0 of 2 steps change it\)/);
  });

  test('a change in both directions is not movement; fewer than half the steps neither', () => {
    expect(movement([0, 2, 1]).moves).toBe(false);
    expect(movement([0, 1, 1, 1, 1]).moves).toBe(false);
    expect(movement([0, 1, 1, 2, 2]).moves).toBe(true);
    expect(movement([2]).moves).toBe(false);
  });

  test('one η, one strength, or one η with a finite cell: no claim that the best strength stays put', () => {
    const oneLr = heatmap([[2, 1, 3]]);
    expect(describeHeatmap(oneLr, gridOf(oneLr, 3))).toMatch(/best validation loss 1 .*; one η only, so nothing says whether the best λ moves with η$/);
    const oneStrength = heatmap([[2], [1], [3]]);
    expect(describeHeatmap(oneStrength, gridOf(oneStrength, 1))).toMatch(/; one λ only, so nothing says whether the best λ moves with η$/);
    const oneFinite = heatmap([
      [Number.NaN, Number.NaN],
      [1, 2],
    ]);
    expect(describeHeatmap(oneFinite, gridOf(oneFinite, 2))).toMatch(/; only one η has a finite cell, so nothing says/);
    for (const h of [oneLr, oneStrength, oneFinite])
      expect(describeHeatmap(h, gridOf(h, h === oneStrength ? 1 : h === oneLr ? 3 : 2))).not.toMatch(/does not move/);
  });

  test("what every model of a grid ran with, from the results' config", () => {
    expect(describeGridConfig(validateConfig({ layers: [4, 6, 3], batch: 4, steps: 6 }))).toBe(
      'layers 4,6,3 · batch 4 · 6 steps · tanh · mse · teacher, 4 training batches · seed 1',
    );
    expect(
      describeGridConfig(
        validateConfig({ dataset: 'mnist', layers: [784, 8, 10], loss: 'ce', batch: 8, trainSize: 64, validationSize: 32, schedule: 'cosine' }),
      ),
    ).toBe('layers 784,8,10 · batch 8 · 200 steps · tanh · ce · MNIST, 64 training and 32 validation rows · seed 1 · cosine schedule');
  });

  test('NaN never wins; a row with no finite cell is left out; all NaN says so', () => {
    const h = heatmap([
      [Number.NaN, 2],
      [Number.POSITIVE_INFINITY, Number.NaN],
      [1, Number.NaN],
    ]);
    expect(bestStrengthPerRow(h, 2)).toEqual([1, null, 0]);
    expect(bestCell(h, 2)).toMatchObject({ row: 2, column: 0 });
    const dead = heatmap([[Number.NaN, Number.NaN]]);
    expect(bestCell(dead, 2)).toBeNull();
    expect(describeHeatmap(dead, gridOf(dead, 2))).toMatch(/every cell diverged/);
  });
});

describe('L2 vs decay (α/η), cell by cell, against the rounding floor', () => {
  const base = [
    [0.5, 0.4],
    [0.3, 0.2],
  ];
  const decayOf = (losses: number[][], twin: number[] | null) => heatmap(losses, { variant: 'decay', axis: 'alpha-over-lr', twinValidationLoss: twin });
  const floor = leastFloor(100, 32);

  test('differences within SAME_MAX_RATIO floors are the same map; beyond, they differ', () => {
    const decay = decayOf(
      base,
      base.flat().map((v) => v * (1 + 1e-4)),
    );
    const near = heatmap(base.map((r) => r.map((v) => v * (1 + 2e-4))));
    const same = comparePair(near, decay);
    expect(same.verdict).toBe('same');
    expect(same.ratio!).toBeCloseTo(2, 1);
    expect(describePair(same)).toMatch(
      /^sgd: L2 and decay \(α\/η\) are the same map cell by cell: the final validation losses differ by at most 2× their cell's rounding floor .*; the largest difference is 2e-4 relative$/,
    );
    const far = heatmap(base.map((r) => r.map((v) => v * (1 + 1e-4 * (SAME_MAX_RATIO + 5)))));
    expect(comparePair(far, decay).verdict).toBe('differ');
    expect(describePair(comparePair(far, decay))).toMatch(/under plain SGD that is a bug/);
  });

  test('the floor is never below one ulp per step', () => {
    const decay = decayOf(base, base.flat());
    const r = comparePair(heatmap(base.map((row) => row.map((v) => v * (1 + floor)))), decay);
    expect(r.ratio!).toBeCloseTo(1, 3);
    expect(comparePair(heatmap(base), decay)).toMatchObject({ verdict: 'identical', ratio: 0, compared: 4 });
  });

  test('divergence: both (and the twin) diverged is left out; only one of the pair is a difference; rounding-decided cells are left out', () => {
    const nan = Number.NaN;
    const decay = decayOf(
      [
        [nan, 0.4],
        [0.3, 0.2],
      ],
      [nan, 0.4, nan, 0.2],
    );
    const l2 = heatmap([
      [nan, 0.4],
      [0.3, nan],
    ]);
    const r = comparePair(l2, decay);
    expect(r).toMatchObject({ compared: 1, roundingSensitive: 1, oneDiverged: 1, verdict: 'differ' });
    expect(describePair(r)).toMatch(/1 cells where rounding alone decides divergence left out; 1 cells where only one of the two diverged/);
  });

  test('no twin, other step counts, or a skipped heatmap: not compared', () => {
    expect(comparePair(heatmap(base), decayOf(base, null)).verdict).toBe('unmeasured');
    expect(comparePair(heatmap(base, { steps: 50 }), decayOf(base, base.flat())).verdict).toBe('unmeasured');
    expect(comparePair(heatmap(base, { cells: [] }), decayOf(base, base.flat())).verdict).toBe('unmeasured');
  });
});

describe('the heatmap colour scale (src/ui/colour-scale.ts)', () => {
  test('viridis from dark purple to yellow; low loss is bright, on a log scale; text contrasts', async () => {
    const { lossScale, scalePosition, textOn, viridis } = await import('../../src/ui/colour-scale');
    expect(viridis(0)).toEqual([0x44, 0x01, 0x54]);
    expect(viridis(1)).toEqual([0xfd, 0xe7, 0x25]);
    expect(viridis(Number.NaN)).toEqual(viridis(0));
    const s = lossScale([0.01, Number.NaN, 1, 0.1, Number.POSITIVE_INFINITY])!;
    expect(s).toEqual({ min: 0.01, max: 1 });
    expect(scalePosition(0.01, s)).toBe(1);
    expect(scalePosition(1, s)).toBe(0);
    expect(scalePosition(0.1, s)).toBeCloseTo(0.5, 12);
    expect(lossScale([Number.NaN])).toBeNull();
    expect(textOn(viridis(0))).toBe('#fff');
    expect(textOn(viridis(1))).toBe('#000');
  });
});
