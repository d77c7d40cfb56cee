/**
 * The CLI's text report of a grid run (docs/DESIGN.md, Grid): a table per heatmap (rows η,
 * columns λ or α, the final validation loss in each cell, the best cell marked), its time and
 * model-steps/s, then the summary sentences. Pure functions of the results (no Node imports).
 */
import { fmtNum, formatSeconds, renderTable } from '../bench/format';
import type { GridHeatmap, GridRun } from '../bench/grid-results';
import { axisLabel, bestCell, gridSummary } from '../bench/grid-summary';
import type { BenchResults } from '../bench/results';

/** A loss for a cell: 3 significant digits; NaN and Inf say so. */
function cellText(v: number): string {
  return Number.isFinite(v) ? fmtNum(v, 3) : String(v);
}

/** The heatmap's title, its table (best cell marked with *), and its time. */
export function heatmapTable(h: GridHeatmap, grid: GridRun): string {
  const name =
    h.variant === 'l2' ? 'L2 (λ)' : `decay (${axisLabel(h.axis)}${h.axis === 'alpha-over-lr' ? ', PyTorch weight_decay: α = η·λ' : ', per-step α'})`;
  const title = `${h.backend} · ${h.optimizer} · ${name} · final validation loss`;
  if (h.skipped) return `${title}\n  not run: ${h.skipped}`;
  const columns = grid.strengths.length;
  const best = bestCell(h, columns);
  const header = [`η \\ ${axisLabel(h.axis)}`, ...grid.strengths.map((s) => fmtNum(s, 3))];
  const rows = grid.lrs.map((lr, i) => [
    fmtNum(lr, 3),
    ...grid.strengths.map((_, j) => cellText(h.cells[i * columns + j].validationLoss) + (best && best.row === i && best.column === j ? '*' : ' ')),
  ]);
  const speed =
    h.seconds !== null
      ? `${h.cells.length} models × ${h.steps} steps in ${formatSeconds(h.seconds)}: ${fmtNum(h.modelStepsPerSec, 3)} model-steps/s (${h.engine ?? h.backend})`
      : '';
  // Classification: the accuracy of the best cell, and the most accurate cell's.
  const accurate = h.cells.reduce((m, c, k) => (c.validationAccuracy > (h.cells[m]?.validationAccuracy ?? -1) ? k : m), -1);
  const top = h.cells[accurate];
  const accuracy =
    best && top
      ? [
          `validation accuracy ${(100 * h.cells[best.row * columns + best.column].validationAccuracy).toFixed(1)}% in the best cell; ` +
            `highest ${(100 * top.validationAccuracy).toFixed(1)}% at η = ${fmtNum(top.lr)}, ${axisLabel(h.axis)} = ${fmtNum(top.strength)}`,
        ]
      : [];
  const table = renderTable(
    header,
    rows,
    header.map((_, i) => i > 0),
  );
  return [title, table, `* best cell · ${speed}`, ...accuracy].join('\n');
}

/** The whole grid report after the header lines. */
export function gridReport(r: BenchResults): string {
  const grid = r.grid;
  if (!grid) return 'no grid in these results';
  const parts = grid.heatmaps.map((h) => heatmapTable(h, grid));
  parts.push(['summary:', ...gridSummary(grid).map((s) => `  ${s}`)].join('\n'));
  parts.push(
    `finished in ${formatSeconds(r.elapsedSeconds ?? 0)}${r.maxSeconds ? ` (budget ${r.maxSeconds} s)` : ''}${r.stopped ? ` — ${r.stopped}` : ''}`,
  );
  return parts.join('\n\n');
}
