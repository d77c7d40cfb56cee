/**
 * The rounding floor of an L2-vs-decay pair and its verdict (docs/RULES.md, "Rounding floor and verdict"):
 * the gap between the decay run and its one-ulp twin at the pair's step, then src/model/verdict.ts
 * judges the pair's gap against it.
 *
 * Browser-safe: no Node imports.
 */
import { agreement } from '../model/metrics';
import { judge, leastFloor } from '../model/verdict';
import type { AgreementRow } from './results';
import type { Cell } from './run-state';

/**
 * Adds the floor, the ratio and the verdict to `row` (a = l2, b = decay), from b's weights and
 * its twin's at the row's step. A twin that did not reach that step (budget, cancel, failure)
 * gives no floor: "unmeasured".
 */
export function judgeAgainstTwin(row: AgreementRow, a: Cell, b: Cell, twinWeights: Float64Array[] | undefined): void {
  const bw = b.finalStep === row.step ? b.finalWeights : b.checkpoints.get(row.step!);
  const floor = twinWeights && bw ? agreement(twinWeights, bw) : null;
  const diverged = a.row.nonFiniteAtStep != null || b.row.nonFiniteAtStep != null;
  const verdict = judge(row, floor, { diverged, floorMin: leastFloor(row.step!, b.backend === 'reference' ? 64 : 32) });
  row.floorNormGap = floor?.normGap ?? null;
  row.floorWeightGap = floor?.weightGap ?? null;
  row.floorRatio = verdict.ratio;
  row.verdict = verdict.id;
}
