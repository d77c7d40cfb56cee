/**
 * Reads the `grid` field of a results file (src/bench/grid-results.ts, docs/DESIGN.md, Grid),
 * checking everything the page and the CLI read: the axes (ascending, distinct, in range), each
 * heatmap's names, and that its cells are the lrs × strengths grid in row-major order with the
 * axis values they claim. A refusal is one ResultsFormatError naming the JSON path.
 *
 * Browser-safe: no Node imports.
 */
import { BACKENDS, OPTIMIZERS, VARIANTS } from '../model/config';
import { MAX_AXIS_VALUES } from './grid-axes';
import type { GridCell, GridHeatmap, GridRun } from './grid-results';
import { DECAY_CONVENTIONS, STRENGTH_AXES } from './grid-results';
import type { Json } from './json-checks';
import { ResultsFormatError, arr, integerIn, num, numOrNull, numbers, obj, oneOf, strOrNull } from './json-checks';

/** Heatmaps a file may hold: every backend × optimizer × (L2 and both decay conventions), with room to spare. */
export const MAX_HEATMAPS = 100;

function axis(value: Json, path: string, allowZero: boolean): number[] {
  const values = numbers(value, path, MAX_AXIS_VALUES);
  if (values.length === 0) throw new ResultsFormatError(`${path}: an empty axis; a grid has 1 to ${MAX_AXIS_VALUES} values`);
  values.forEach((v, i) => {
    if (!(Number.isFinite(v) && (allowZero ? v >= 0 : v > 0)))
      throw new ResultsFormatError(`${path}[${i}]: ${v} is not a finite number ${allowZero ? '≥ 0' : '> 0'}`);
    if (i > 0 && !(v > values[i - 1])) throw new ResultsFormatError(`${path}[${i}]: ${v} after ${values[i - 1]}; the axis must ascend`);
  });
  return values;
}

function cell(value: Json, path: string, lr: number, strength: number): GridCell {
  const o = obj(value, path);
  const c: GridCell = {
    lr: num(o.lr, `${path}.lr`),
    strength: num(o.strength, `${path}.strength`),
    lambda: num(o.lambda, `${path}.lambda`),
    alpha: num(o.alpha, `${path}.alpha`),
    trainLoss: num(o.trainLoss, `${path}.trainLoss`),
    validationLoss: num(o.validationLoss, `${path}.validationLoss`),
    validationAccuracy: o.validationAccuracy === undefined ? Number.NaN : num(o.validationAccuracy, `${path}.validationAccuracy`),
  };
  if (c.lr !== lr) throw new ResultsFormatError(`${path}.lr: ${c.lr}, but its row's learning rate (grid.lrs) is ${lr}`);
  if (c.strength !== strength) throw new ResultsFormatError(`${path}.strength: ${c.strength}, but its column's strength (grid.strengths) is ${strength}`);
  return c;
}

function heatmap(value: Json, path: string, lrs: readonly number[], strengths: readonly number[]): GridHeatmap {
  const o = obj(value, path);
  const size = lrs.length * strengths.length;
  const cells = arr(o.cells, `${path}.cells`, size);
  if (cells.length !== 0 && cells.length !== size)
    throw new ResultsFormatError(
      `${path}.cells: ${cells.length} cells; the grid is ${lrs.length} × ${strengths.length} = ${size} (or none, when skipped)`,
    );
  const h: GridHeatmap = {
    backend: oneOf(o.backend, BACKENDS, `${path}.backend`),
    engine: strOrNull(o.engine, `${path}.engine`),
    optimizer: oneOf(o.optimizer, OPTIMIZERS, `${path}.optimizer`),
    variant: oneOf(o.variant, VARIANTS, `${path}.variant`),
    axis: oneOf(o.axis, STRENGTH_AXES, `${path}.axis`),
    cells: cells.map((c, k) => cell(c, `${path}.cells[${k}]`, lrs[Math.floor(k / strengths.length)], strengths[k % strengths.length])),
    twinValidationLoss:
      o.twinValidationLoss === null || o.twinValidationLoss === undefined ? null : numbers(o.twinValidationLoss, `${path}.twinValidationLoss`, size),
    steps: integerIn(o.steps, 0, Number.MAX_SAFE_INTEGER, `${path}.steps`),
    seconds: numOrNull(o.seconds, `${path}.seconds`),
    modelStepsPerSec: numOrNull(o.modelStepsPerSec, `${path}.modelStepsPerSec`),
    skipped: strOrNull(o.skipped, `${path}.skipped`),
  };
  if ((h.variant === 'l2') !== (h.axis === 'lambda'))
    throw new ResultsFormatError(
      `${path}.axis: ${JSON.stringify(h.axis)} with variant ${h.variant}; L2 runs over λ ("lambda"), decay over one of ${DECAY_CONVENTIONS.join(', ')}`,
    );
  if (h.twinValidationLoss && h.twinValidationLoss.length !== h.cells.length)
    throw new ResultsFormatError(`${path}.twinValidationLoss: ${h.twinValidationLoss.length} entries, but cells has ${h.cells.length}`);
  return h;
}

/** Reads and checks a `grid` field. */
export function gridRun(value: Json, path = 'grid'): GridRun {
  const o = obj(value, path);
  const lrs = axis(o.lrs, `${path}.lrs`, false);
  const strengths = axis(o.strengths, `${path}.strengths`, true);
  const list = <T extends string>(field: string, names: readonly T[]) =>
    arr(o[field], `${path}.${field}`, names.length).map((v, i) => oneOf(v, names, `${path}.${field}[${i}]`));
  return {
    lrs,
    strengths,
    optimizers: list('optimizers', OPTIMIZERS),
    backends: list('backends', BACKENDS),
    conventions: list('conventions', DECAY_CONVENTIONS),
    heatmaps: arr(o.heatmaps, `${path}.heatmaps`, MAX_HEATMAPS).map((h, i) => heatmap(h, `${path}.heatmaps[${i}]`, lrs, strengths)),
  };
}
