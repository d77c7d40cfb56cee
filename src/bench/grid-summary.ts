/**
 * What a grid shows, computed from its cells (docs/RULES.md, "Grid: two conventions"), for the
 * CLI's tables and the page's sentence alike: the best cell of each heatmap, the best strength at
 * each learning rate and whether it moves with the learning rate, and, per optimizer, how far L2
 * and decay in the α/η convention differ cell by cell, against the rounding floor its one-ulp
 * twin measured (src/model/verdict.ts's idea, applied to the final validation loss).
 *
 * Browser-safe: no Node imports.
 */
import type { Backend, MlpConfig, OptimizerName } from '../model/config';
import { SAME_MAX_RATIO, leastFloor } from '../model/verdict';
import type { GridHeatmap, GridRun, StrengthAxis } from './grid-results';

export interface BestCell {
  /** Row (learning rate) and column (strength) indices. */
  row: number;
  column: number;
  lr: number;
  strength: number;
  validationLoss: number;
}

/** The cell of least final validation loss (NaN and Inf never win); null when no cell is finite. */
export function bestCell(h: GridHeatmap, columns: number): BestCell | null {
  let best: BestCell | null = null;
  h.cells.forEach((c, k) => {
    if (Number.isFinite(c.validationLoss) && (best === null || c.validationLoss < best.validationLoss))
      best = { row: Math.floor(k / columns), column: k % columns, lr: c.lr, strength: c.strength, validationLoss: c.validationLoss };
  });
  return best;
}

/** Per learning rate (row), the column of least final validation loss; null for a row with no finite cell. */
export function bestStrengthPerRow(h: GridHeatmap, columns: number): (number | null)[] {
  const rows = columns > 0 ? h.cells.length / columns : 0;
  return Array.from({ length: rows }, (_, i) => {
    let best: number | null = null;
    for (let j = 0; j < columns; j++) {
      const v = h.cells[i * columns + j].validationLoss;
      if (Number.isFinite(v) && (best === null || v < h.cells[i * columns + best].validationLoss)) best = j;
    }
    return best;
  });
}

export interface Movement {
  /** The best column changes in one direction only, and at ≥ half of the steps between consecutive rows that have one. */
  moves: boolean;
  /** `down`: the best strength falls as the learning rate grows (L2's diagonal, η·λ ≈ constant); `up`: it rises; null: no change. */
  direction: 'up' | 'down' | null;
  /** Steps between consecutive rows where the best column changed, and steps in all. */
  changes: number;
  transitions: number;
}

/** Whether the best strength moves with the learning rate (rows without a finite cell are left out). */
export function movement(bestPerRow: readonly (number | null)[]): Movement {
  const idx = bestPerRow.filter((b): b is number => b !== null);
  const transitions = Math.max(0, idx.length - 1);
  let ups = 0;
  let downs = 0;
  for (let k = 1; k < idx.length; k++) {
    if (idx[k] > idx[k - 1]) ups++;
    else if (idx[k] < idx[k - 1]) downs++;
  }
  const changes = ups + downs;
  const direction = changes === 0 ? null : ups > 0 && downs > 0 ? null : ups > 0 ? 'up' : 'down';
  return { moves: direction !== null && transitions > 0 && changes * 2 >= transitions, direction, changes, transitions };
}

export type PairVerdict = 'identical' | 'same' | 'differ' | 'unmeasured';

export interface PairComparison {
  backend: Backend;
  optimizer: OptimizerName;
  /** Largest over cells of |L2 − decay| / |decay| of the final validation loss. */
  largestDifference: number | null;
  /** That difference over the cell's rounding floor (max of the twin's and one ulp per step); the largest ratio over cells. */
  ratio: number | null;
  /** The cell of the largest ratio. */
  worst: { lr: number; strength: number } | null;
  verdict: PairVerdict;
  /** Cells compared; cells where rounding alone decides divergence (decay and its twin disagree), left out; cells where only one of the pair diverged. */
  compared: number;
  roundingSensitive: number;
  oneDiverged: number;
  /** Cells where both runs (and the twin) diverged: consistent, and nothing to compare. */
  bothDiverged: number;
}

const relative = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

/**
 * L2 (λ) against decay (α/η) cell by cell: under SGD the same map (Proposition 1), so the
 * difference stays within SAME_MAX_RATIO rounding floors; under momentum and Adam not
 * (Proposition 2). A cell where exactly one of the pair diverged, while rounding alone (the twin)
 * does not change whether decay diverges, is a difference no floor explains.
 */
export function comparePair(l2: GridHeatmap, decay: GridHeatmap): PairComparison {
  const base = { backend: l2.backend, optimizer: l2.optimizer };
  const none: PairComparison = {
    ...base,
    largestDifference: null,
    ratio: null,
    worst: null,
    verdict: 'unmeasured',
    compared: 0,
    roundingSensitive: 0,
    oneDiverged: 0,
    bothDiverged: 0,
  };
  const twin = decay.twinValidationLoss;
  if (!twin || l2.cells.length === 0 || l2.cells.length !== decay.cells.length || twin.length !== decay.cells.length || l2.steps !== decay.steps)
    return none;
  const least = leastFloor(decay.steps, decay.backend === 'reference' ? 64 : 32);
  let largest = 0;
  let ratio = 0;
  let worst: PairComparison['worst'] = null;
  let compared = 0;
  let roundingSensitive = 0;
  let oneDiverged = 0;
  let bothDiverged = 0;
  let allZero = true;
  decay.cells.forEach((d, k) => {
    const p = l2.cells[k].validationLoss;
    const q = d.validationLoss;
    const t = twin[k];
    if (Number.isFinite(q) !== Number.isFinite(t)) return void roundingSensitive++;
    if (Number.isFinite(p) !== Number.isFinite(q)) return void oneDiverged++;
    if (!Number.isFinite(q)) return void bothDiverged++; // and the twin too: nothing to compare
    compared++;
    const diff = relative(p, q);
    if (diff !== 0) allZero = false;
    const r = diff / Math.max(relative(t, q), least);
    largest = Math.max(largest, diff);
    if (r > ratio || worst === null) [ratio, worst] = [Math.max(ratio, r), { lr: d.lr, strength: d.strength }];
  });
  if (compared === 0 && oneDiverged === 0) return { ...none, roundingSensitive, bothDiverged };
  const verdict: PairVerdict = oneDiverged > 0 || ratio > SAME_MAX_RATIO ? 'differ' : allZero ? 'identical' : 'same';
  return {
    ...base,
    largestDifference: compared ? largest : null,
    ratio: compared ? ratio : null,
    worst,
    verdict,
    compared,
    roundingSensitive,
    oneDiverged,
    bothDiverged,
  };
}

/** "λ", "α/η", "α": how a heatmap's strength axis is labelled. */
export function axisLabel(axis: StrengthAxis): string {
  return axis === 'lambda' ? 'λ' : axis === 'alpha-over-lr' ? 'α/η' : 'α';
}

/** Two significant digits, in exponent form below 10⁻³ ("2.6e-5", "0.0046", "0.2"). */
function g(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? Number(x.toPrecision(2)).toExponential() : Number(x.toPrecision(2)).toString();
}

/** A ratio with two significant digits, in exponent form from 10⁴ (as src/model/verdict.ts writes its ratio). */
function ratioText(r: number): string {
  return r < 1e4 ? g(r) : r.toExponential(1);
}

/** One sentence for a heatmap: its best cell, and whether its best strength moves with the learning rate. */
export function describeHeatmap(h: GridHeatmap, grid: GridRun): string {
  const name = `${h.variant === 'l2' ? 'L2' : 'decay'} (${axisLabel(h.axis)})`;
  if (h.skipped) return `${name}: not run (${h.skipped})`;
  const columns = grid.strengths.length;
  const best = bestCell(h, columns);
  if (!best) return `${name}: every cell diverged (NaN/Inf)`;
  const m = movement(bestStrengthPerRow(h, columns));
  // With one strength, or fewer than two learning rates that have a finite cell, there is nothing
  // to move: say so rather than "does not move (0 of 0 steps)".
  const moves =
    columns < 2
      ? `one ${axisLabel(h.axis)} only, so nothing says whether the best ${axisLabel(h.axis)} moves with η`
      : m.transitions === 0
        ? `${grid.lrs.length < 2 ? 'one η only' : 'only one η has a finite cell'}, so nothing says whether the best ${axisLabel(h.axis)} moves with η`
        : m.moves
          ? `the best ${axisLabel(h.axis)} ${m.direction === 'down' ? 'falls' : 'rises'} as η grows (changes at ${m.changes} of ${m.transitions} steps in η)`
          : `the best ${axisLabel(h.axis)} does not move with η (${m.changes} of ${m.transitions} steps change it${m.direction === null && m.changes > 0 ? ', both ways' : ''})`;
  return `${name}: best validation loss ${g(best.validationLoss)} at η = ${g(best.lr)}, ${axisLabel(h.axis)} = ${g(best.strength)}; ${moves}`;
}

/** One sentence for an L2-vs-decay(α/η) pair. */
export function describePair(c: PairComparison): string {
  const where = c.worst ? ` (at η = ${g(c.worst.lr)}, λ = ${g(c.worst.strength)})` : '';
  const left = [
    c.roundingSensitive > 0 ? `${c.roundingSensitive} cells where rounding alone decides divergence left out` : '',
    c.oneDiverged > 0 ? `${c.oneDiverged} cells where only one of the two diverged` : '',
    c.bothDiverged > 0 ? `${c.bothDiverged} cells where both diverged (NaN/Inf) left out` : '',
  ].filter(Boolean);
  const tail = left.length ? `; ${left.join('; ')}` : '';
  const k = c.ratio === null ? '?' : ratioText(c.ratio);
  switch (c.verdict) {
    case 'identical':
      return `${c.optimizer}: L2 and decay (α/η) give bit-identical losses in all ${c.compared} cells${tail}`;
    case 'same':
      return `${c.optimizer}: L2 and decay (α/η) are the same map cell by cell: the final validation losses differ by at most ${k}× their cell's rounding floor${where}; the largest difference is ${g(c.largestDifference!)} relative${tail}`;
    case 'differ':
      return (
        `${c.optimizer}: L2 and decay (α/η) differ: ` +
        (c.ratio !== null
          ? `the final validation losses differ by up to ${k}× their cell's rounding floor${where}; the largest difference is ${g(c.largestDifference!)} relative`
          : 'no cell to compare') +
        `${tail}${c.optimizer === 'sgd' ? ' — under plain SGD that is a bug' : ''}`
      );
    case 'unmeasured':
      return `${c.optimizer}: L2 vs decay (α/η) not compared (a heatmap or its rounding twin did not finish)${tail}`;
  }
}

/** Every L2-vs-decay(α/η) pair of the grid, in heatmap order. */
export function gridPairs(grid: GridRun): PairComparison[] {
  const out: PairComparison[] = [];
  for (const l2 of grid.heatmaps.filter((h) => h.variant === 'l2')) {
    const decay = grid.heatmaps.find(
      (h) => h.variant === 'decay' && h.axis === 'alpha-over-lr' && h.backend === l2.backend && h.optimizer === l2.optimizer,
    );
    if (decay) out.push(comparePair(l2, decay));
  }
  return out;
}

/** The whole summary, one sentence a line: each pair, then each heatmap. */
export function gridSummary(grid: GridRun): string[] {
  return [...gridPairs(grid).map(describePair), ...grid.heatmaps.map((h) => `${h.backend} ${h.optimizer} · ${describeHeatmap(h, grid)}`)];
}

/**
 * The shape, data and length every model of a grid ran with, from the results' own config: an
 * imported grid, or one run before the form changed, is not the form's (η, λ and the optimizer
 * are each cell's and heatmap's).
 */
export function describeGridConfig(c: MlpConfig): string {
  const data =
    c.dataset === 'mnist'
      ? `MNIST, ${c.trainSize} training and ${c.validationSize} validation rows${c.labelNoise > 0 ? `, label noise ${c.labelNoise}` : ''}`
      : `teacher, ${c.trainBatches} training batches`;
  const schedule = c.schedule === 'constant' ? '' : ` · ${c.schedule} schedule`;
  return `layers ${c.layers.join(',')} · batch ${c.batch} · ${c.steps} steps · ${c.activation} · ${c.loss} · ${data} · seed ${c.seed}${schedule}`;
}
