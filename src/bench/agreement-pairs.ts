/**
 * The agreement comparisons of one width (docs/RULES.md, Agreement): each pair is compared as
 * soon as both its cells have settled, at the last step both reached, and weights no pending
 * comparison needs are dropped.
 *
 * Browser-safe: no Node imports.
 */
import { agreement, normGap } from '../model/metrics';
import type { AgreementRow, BenchResults } from './results';
import { judgeAgainstTwin } from './rounding-floor';
import type { Cell, WidthRun } from './run-state';
import { cellKey } from './run-state';

/** Compares every pair of this width whose cells have both settled; notes the ones that cannot be compared. */
export function finishPairs(w: WidthRun, results: BenchResults): void {
  const { pairs, cells } = w;
  const pairIndex = (r: AgreementRow) =>
    pairs.findIndex((p) => cellKey(...p.a) === cellKey(r.a.backend, r.a.variant) && cellKey(...p.b) === cellKey(r.b.backend, r.b.variant));
  for (const pair of pairs) {
    if (pair.done) continue;
    const a = cells.get(cellKey(...pair.a));
    const b = cells.get(cellKey(...pair.b));
    const twin = pair.twin ? cells.get(pair.twin) : undefined;
    const settled = (c: Cell | undefined) => c !== undefined && (c.row.skipped !== null || c.finalStep !== undefined);
    if (!settled(a) || !settled(b) || (pair.twin && !settled(twin))) continue;
    pair.done = true;
    if (a!.finalStep === undefined || b!.finalStep === undefined) continue;
    const row = compare(w.width, a!, b!);
    // The twin ran last, so it kept weights at the pair's step when the pair stopped early.
    if (row && pair.twin) judgeAgainstTwin(row, a!, b!, (twin!.finalStep ?? 0) >= row.step! ? weightsAt(twin!, row.step!) : undefined);
    if (row) {
      // In the order of `pairs` (the caller's backend order), not the order cells finished in.
      const index = pairs.indexOf(pair);
      const later = results.agreement.findIndex((r) => r.width === w.width && pairIndex(r) > index);
      results.agreement.splice(later < 0 ? results.agreement.length : later, 0, row);
    } else
      (results.notes ??= []).push(
        `${w.prefix}${pair.a.join(' ')} vs ${pair.b.join(' ')} not compared: they stopped at steps ${a!.finalStep} and ${b!.finalStep} and neither kept weights at the other's step`,
      );
  }
  // Drop weights no pending comparison needs: at large widths they are hundreds of MB each.
  for (const cell of cells.values()) {
    const k = cellKey(cell.backend, cell.variant, cell.twin);
    const needed = pairs.some((p) => !p.done && (cellKey(...p.a) === k || cellKey(...p.b) === k || p.twin === k));
    if (!needed) {
      cell.finalWeights = undefined;
      cell.checkpoints.clear();
    }
  }
}

/** Weights of a cell at step s (its final weights or a checkpoint), or undefined. */
function weightsAt(cell: Cell, s: number): Float64Array[] | undefined {
  return cell.finalStep === s ? cell.finalWeights : cell.checkpoints.get(s);
}

/** The agreement row of docs/RULES.md for a vs b (b the baseline), at the last step both reached. */
function compare(width: number | null, a: Cell, b: Cell): AgreementRow | null {
  const s = Math.min(a.finalStep!, b.finalStep!);
  const wa = weightsAt(a, s);
  const wb = weightsAt(b, s);
  if (!wa || !wb) return null;
  const g = agreement(wa, wb);
  const history: number[][] = [];
  const historySteps: number[] = [];
  const bIndex = new Map((b.row.normSteps ?? []).map((step, i) => [step, i]));
  (a.row.normSteps ?? []).forEach((step, i) => {
    const j = bIndex.get(step);
    if (j === undefined || step > s) return;
    historySteps.push(step);
    history.push(a.row.norms[i].map((n, l) => normGap(n, b.row.norms[j][l])));
  });
  return {
    width,
    a: { backend: a.backend, variant: a.variant },
    b: { backend: b.backend, variant: b.variant },
    normGap: g.normGap,
    weightGap: g.weightGap,
    zeroScaleLayers: g.zeroScaleLayers,
    normGapHistory: history,
    historySteps,
    step: s,
  };
}
