/**
 * A grid run through JSON and CSV (docs/DESIGN.md, Grid): the JSON round trip gives back the same
 * grid (NaN accuracy and a diverged cell included), a file without `grid` imports as before, bad
 * grids are refused naming the JSON path, and the CSV has one line per cell.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { gridTrainerFactories } from '../../src/bench/backends';
import { CSV_COLUMNS, parseCsv, parseResultsJson, toCsv, toJson } from '../../src/bench/export';
import { runGrid } from '../../src/bench/grid-run';
import type { BenchResults } from '../../src/bench/results';
import { validateConfig } from '../../src/model/config';
import { gridReport } from '../../src/cli/grid-report';

let results: BenchResults;

beforeAll(async () => {
  results = await runGrid({
    config: validateConfig({ layers: [4, 6, 3], batch: 4, steps: 6, loss: 'ce' }),
    backends: ['reference'],
    lrs: [0.01, 0.1],
    strengths: [0, 1e-2, 1e-1],
    factories: gridTrainerFactories(null),
    gpu: null,
  });
  // A diverged cell is a result too.
  results.grid!.heatmaps[0].cells[1].validationLoss = Number.NaN;
});

describe('grid results as JSON', () => {
  test('round trip: the same grid back, NaN included', () => {
    const back = parseResultsJson(toJson(results));
    expect(back.grid).toEqual(results.grid);
    expect(back.results).toEqual([]);
    expect(Number.isNaN(back.grid!.heatmaps[0].cells[1].validationLoss)).toBe(true);
    expect(back.grid!.heatmaps[1].twinValidationLoss).toHaveLength(6);
  });

  test('a file without grid (every file before it) imports with no grid', () => {
    const plain = JSON.parse(toJson(results)) as Record<string, unknown>;
    delete plain.grid;
    expect(parseResultsJson(JSON.stringify(plain)).grid).toBeUndefined();
    expect(parseResultsJson(JSON.stringify({ ...plain, grid: null })).grid).toBeNull();
  });

  const edit = (change: (g: Record<string, any>) => void): string => {
    const file = JSON.parse(toJson(results)) as { grid: Record<string, any> };
    change(file.grid);
    return JSON.stringify(file);
  };

  test.each([
    ['grid.lrs: an empty axis', (g: Record<string, any>) => (g.lrs = [])],
    ['grid.lrs[1]: 0.01 after 0.01; the axis must ascend', (g: Record<string, any>) => (g.lrs = [0.01, 0.01])],
    ['grid.strengths[0]: -1 is not a finite number ≥ 0', (g: Record<string, any>) => (g.strengths[0] = -1)],
    ['grid.optimizers[0]: expected one of sgd, momentum, adam, found "lion"', (g: Record<string, any>) => (g.optimizers = ['lion'])],
    ['grid.heatmaps[0].cells: 5 cells; the grid is 2 × 3 = 6 (or none, when skipped)', (g: Record<string, any>) => g.heatmaps[0].cells.pop()],
    ['grid.heatmaps[0].cells[3].lr: 0.01, but its row', (g: Record<string, any>) => (g.heatmaps[0].cells[3].lr = 0.01)],
    [
      'grid.heatmaps[2].cells[0].validationLoss: expected a number, found "low"',
      (g: Record<string, any>) => (g.heatmaps[2].cells[0].validationLoss = 'low'),
    ],
    ['grid.heatmaps[0].axis: "alpha" with variant l2', (g: Record<string, any>) => (g.heatmaps[0].axis = 'alpha')],
    ['grid.heatmaps[1].twinValidationLoss: 2 entries, but cells has 6', (g: Record<string, any>) => (g.heatmaps[1].twinValidationLoss = [1, 2])],
    ['grid.heatmaps[0].steps: expected an integer', (g: Record<string, any>) => (g.heatmaps[0].steps = 1.5)],
    ['grid.heatmaps: 101 entries; the limit is 100', (g: Record<string, any>) => (g.heatmaps = new Array(101).fill(g.heatmaps[0]))],
  ])('refused: %s', (message, change) => {
    expect(() => parseResultsJson(edit(change))).toThrow(message);
  });
});

describe('grid results as CSV', () => {
  test('one line per cell of each heatmap, in the common columns', () => {
    const records = parseCsv(toCsv(results));
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    const grid = records.filter((r) => r[0] === 'grid');
    expect(grid).toHaveLength(3 * 6);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const h = results.grid!.heatmaps[1];
    const line = grid[6 + 4];
    expect(line[col('optimizer')]).toBe('sgd');
    expect(line[col('variant')]).toBe('decay');
    expect(line[col('axis')]).toBe('alpha-over-lr');
    expect(Number(line[col('lr')])).toBe(h.cells[4].lr);
    expect(Number(line[col('strength')])).toBe(h.cells[4].strength);
    expect(Number(line[col('finalValidationLoss')])).toBe(h.cells[4].validationLoss);
    expect(Number(line[col('twinValidationLoss')])).toBe(h.twinValidationLoss![4]);
    expect(Number(line[col('validationAccuracy')])).toBe(h.cells[4].validationAccuracy);
    expect(grid[1][col('finalValidationLoss')]).toBe('NaN');
  });

  test('a regression grid leaves the accuracy empty, as result lines do, not NaN', async () => {
    const mse = await runGrid({
      config: validateConfig({ layers: [4, 6, 3], batch: 4, steps: 2, loss: 'mse' }),
      backends: ['reference'],
      lrs: [0.1],
      strengths: [1e-2],
      factories: gridTrainerFactories(null),
      gpu: null,
    });
    const grid = parseCsv(toCsv(mse)).filter((r) => r[0] === 'grid');
    expect(grid.length).toBeGreaterThan(0);
    for (const line of grid) expect(line[CSV_COLUMNS.indexOf('validationAccuracy')]).toBe('');
  });

  test('a heatmap that did not run is one line saying why', () => {
    const skipped = structuredClone(results);
    skipped.grid!.heatmaps[2] = { ...skipped.grid!.heatmaps[2], cells: [], skipped: 'cancelled' };
    const grid = parseCsv(toCsv(skipped)).filter((r) => r[0] === 'grid');
    expect(grid).toHaveLength(2 * 6 + 1);
    expect(grid.at(-1)![CSV_COLUMNS.indexOf('skipped')]).toBe('cancelled');
  });
});

describe('the terminal report of a grid', () => {
  test('a table per heatmap with the best cell marked, and for CE the accuracy line', () => {
    const text = gridReport(results);
    expect(text).toMatch(/reference · sgd · L2 \(λ\) · final validation loss\nη \\ λ/);
    expect(text).toMatch(/NaN/);
    expect(text.match(/\d\*/g)).toHaveLength(3);
    expect(text).toMatch(/validation accuracy \d+\.\d% in the best cell; highest \d+\.\d% at η = /);
    expect(text).toMatch(/^summary:\n {2}sgd: L2 and decay \(α\/η\)/m);
  });
});
