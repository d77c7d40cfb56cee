import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { BenchResults, ResultRow } from '../bench/results';
import { BACKEND_LABEL, VARIANT_LABEL, finiteOrNull, nonFiniteStep, rowsAt, stepAxis } from './chart-data';
import { fmtNum, fmtPercent } from '../bench/format';
import { chartLayoutStyles, panelStyles } from './shared-styles';
import { UplotController, nonFiniteMarker, stepAxisOptions, themeColors, uplotStyles, valueAxis } from './uplot-controller';

/** What a curves chart plots: the loss, or (classification runs) the accuracy (docs/RULES.md, "Accuracy"). */
export type CurveMetric = 'loss' | 'accuracy';

const SERIES: Record<CurveMetric, { train: 'trainLoss' | 'trainAccuracy'; validation: 'validationLoss' | 'validationAccuracy' }> = {
  loss: { train: 'trainLoss', validation: 'validationLoss' },
  accuracy: { train: 'trainAccuracy', validation: 'validationAccuracy' },
};

/**
 * Loss curves: train (solid) and validation (dashed) for L2 and decay, and for the λ = 0
 * baseline run when there is one, so the effect of regularizing is visible at all. The accuracy
 * chart (l2wd-accuracy-chart.ts) is this element with `metric` = accuracy.
 */
@customElement('l2wd-loss-chart')
export class L2wdLossChart extends LitElement {
  static override styles = [
    panelStyles,
    uplotStyles,
    chartLayoutStyles,
    css`
      figcaption {
        font-size: 0.85rem;
        color: var(--l2wd-muted);
      }
      table {
        border-collapse: collapse;
        font-size: 0.9rem;
        margin-top: 0.6rem;
      }
      th,
      td {
        padding: 0.2rem 0.7rem;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      thead th {
        color: var(--l2wd-muted);
        font-weight: 500;
        border-bottom: 1px solid var(--l2wd-border);
      }
    `,
  ];

  /** The regularized run. */
  @property({ attribute: false }) results?: BenchResults;
  /** The same configuration at λ = 0 (one variant: at λ = 0 L2 and decay are the same rule). */
  @property({ attribute: false }) baseline?: BenchResults;
  /** Which swept width to show; null outside a sweep. */
  @property({ attribute: false }) width: number | null = null;

  /** Which series this element plots; the accuracy chart overrides it. */
  protected readonly metric: CurveMetric = 'loss';

  readonly chart = new UplotController(this, () => this.renderRoot.querySelector<HTMLElement>('.plot'));

  private values(row: ResultRow, which: 'train' | 'validation'): number[] {
    return row[SERIES[this.metric][which]] ?? [];
  }

  private format(v: number | null | undefined): string {
    if (this.metric === 'loss') return fmtNum(v, 4);
    return fmtPercent(v);
  }

  /** The rows to draw: one backend (the GPU when it ran, else the fastest CPU path), both variants. */
  private curves(): { row: ResultRow; label: string; baseline: boolean }[] {
    if (!this.results) return [];
    const has = (r: ResultRow) => !r.skipped && this.values(r, 'train').length > 0;
    const rows = rowsAt(this.results, this.width).filter(has);
    const backend = (['gpu', 'cpu', 'reference'] as const).find((b) => rows.some((r) => r.backend === b));
    const out = rows
      .filter((r) => r.backend === backend)
      .map((r) => ({ row: r, label: `${BACKEND_LABEL[r.backend]} ${VARIANT_LABEL[r.variant]}`, baseline: false }));
    const base = this.baseline
      ? (rowsAt(this.baseline, this.width).find((r) => has(r) && r.backend === backend) ?? rowsAt(this.baseline, this.width).find(has))
      : undefined;
    if (base) out.push({ row: base, label: `${BACKEND_LABEL[base.backend]} λ = 0`, baseline: true });
    return out;
  }

  override willUpdate(): void {
    const curves = this.curves();
    if (curves.length === 0) {
      this.chart.set(undefined);
      return;
    }
    const colors = themeColors(this);
    const xs = stepAxis(curves.map((c) => c.row));
    const series: uPlot.Series[] = [{ label: 'step' }];
    const data: (number | null)[][] = [];
    // The λ = 0 baseline first: uPlot draws in order, so the grey curves lie under L2 and decay.
    for (const c of [...curves].sort((a, b) => Number(b.baseline) - Number(a.baseline))) {
      const stroke = c.baseline ? colors.muted : c.row.variant === 'l2' ? colors.l2 : colors.decay;
      const at = new Map((c.row.normSteps ?? []).map((s, k) => [s, k] as const));
      for (const which of ['train', 'validation'] as const) {
        const values = this.values(c.row, which);
        if (!values.length) continue;
        series.push({
          label: `${c.label} ${which}`,
          stroke,
          dash: which === 'validation' ? [6, 4] : undefined,
          width: which === 'train' ? 2 : 1.5,
          points: { show: false },
          value: (_u, v) => (v === null ? '—' : this.format(v)),
        } as uPlot.Series);
        data.push(xs.map((x) => finiteOrNull(values[at.get(x) ?? -1])));
      }
    }
    const bad = curves.map((c) => nonFiniteStep(c.row)).filter((s): s is number => s !== null);
    const firstBad = bad.length ? Math.min(...bad) : null;
    this.chart.set({
      key: `${this.metric}:${series.map((s) => s.label).join('|')}:${colors.text}:${firstBad}`,
      options: {
        series,
        hooks: { draw: [nonFiniteMarker(firstBad, colors)] },
        scales: { x: { time: false } },
        axes: [stepAxisOptions(colors), valueAxis(colors, this.metric, (v) => (this.metric === 'loss' ? fmtNum(v) : this.format(v)))],
        legend: { live: true },
      },
      data: [xs, ...data] as uPlot.AlignedData,
    });
  }

  override render() {
    const curves = this.curves();
    if (curves.length === 0) return nothing;
    const m = this.metric;
    return html`<section class="card" aria-labelledby="${m}-h" data-testid=${m}>
      <h2 id="${m}-h">${m === 'loss' ? 'Loss' : 'Accuracy'}, train and validation</h2>
      <figure>
        <div class="plot" id="${m}-plot" role="img" aria-label="Training and validation ${m} over steps"></div>
        <figcaption>
          Train solid (${m === 'loss' ? 'the last step’s batch' : 'share of the last step’s batch classified right'}), validation
          dashed${m === 'accuracy' ? ' (share of all validation rows)' : ''}.
          ${
            this.baseline
              ? 'Grey: the same run without regularization (λ = 0), for comparison.'
              : 'Tick “λ = 0 baseline” in the form to compare with an unregularized run.'
          }
        </figcaption>
      </figure>
      <table aria-label=${m === 'loss' ? 'Final losses' : 'Final accuracies'}>
        <thead>
          <tr>
            <th scope="col">run</th>
            <th scope="col">train</th>
            <th scope="col">validation</th>
          </tr>
        </thead>
        <tbody>
          ${curves.map((c) => {
            const bad = nonFiniteStep(c.row);
            return html`<tr>
              <th scope="row">${c.label}</th>
              <td>${this.format(this.values(c.row, 'train').at(-1))}</td>
              <td>${this.format(this.values(c.row, 'validation').at(-1))}${bad !== null ? html` ⚠ NaN/Inf at step ${bad}` : nothing}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-loss-chart': L2wdLossChart;
  }
}
