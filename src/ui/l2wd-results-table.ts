import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BenchResults } from '../bench/results';
import { BACKEND_LABEL, VARIANT_LABEL, nonFiniteStep, worst } from './chart-data';
import { fmtMs, fmtNum, fmtPercent, fmtSci, rowsMeasured } from '../bench/format';
import { hasAccuracy } from '../model/accuracy';
import { panelStyles } from './shared-styles';

/** Every measured cell of a run, and every agreement figure, as tables (the charts' source of truth in text). */
@customElement('l2wd-results-table')
export class L2wdResultsTable extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .scroll {
        overflow-x: auto;
        max-width: 100%;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.88rem;
      }
      caption {
        text-align: left;
        font-weight: 600;
        padding: 0.5rem 0;
      }
      th,
      td {
        padding: 0.3rem 0.6rem;
        text-align: right;
        white-space: nowrap;
        font-variant-numeric: tabular-nums;
        border-bottom: 1px solid var(--l2wd-border);
      }
      th:nth-child(-n + 3),
      td:nth-child(-n + 3) {
        text-align: left;
      }
      thead th {
        color: var(--l2wd-muted);
        font-weight: 500;
        position: sticky;
        top: 0;
        background: var(--l2wd-surface);
      }
      tbody tr:hover {
        background: var(--l2wd-surface-2);
      }
      tr.bad td {
        color: var(--l2wd-error);
      }
      tr.skipped td {
        color: var(--l2wd-muted);
      }
      .spread {
        color: var(--l2wd-muted);
        font-size: 0.8em;
      }
      td.status {
        text-align: left;
        white-space: normal;
        min-width: 10rem;
      }
    `,
  ];

  @property({ attribute: false }) results?: BenchResults;

  override render() {
    const r = this.results;
    if (!r || r.results.length === 0) return nothing;
    const sweep = r.results.some((x) => x.width !== null);
    const accuracy = hasAccuracy(r.config);
    return html`<section class="card" aria-labelledby="table-h" data-testid="results-table">
      <h2 id="table-h">Results</h2>
      <div class="scroll" tabindex="0" aria-label="Results table, scrolls sideways">
        <table data-testid="results-rows">
          <caption>
            Timings and losses per backend and regularizer. GFLOP/s counts matmul work only (forward, dW and dA products, 2·B·n<sub>in</sub>·n<sub
              >out</sub
            >
            each, as docs/RULES.md counts them) over the median step time; bias, activation, loss and update take time but are not counted. Loss and
            accuracy, ${rowsMeasured(r.config)}.
          </caption>
          ${headRow(sweep, [
            'backend',
            'variant',
            'step time (p10–p90)',
            'samples/s',
            'GFLOP/s (matmul only)',
            'train loss',
            'val. loss',
            ...(accuracy ? ['train acc.', 'val. acc.'] : []),
            'status',
          ])}
          <tbody>
            ${r.results.map((row) => {
              const bad = nonFiniteStep(row);
              return html`<tr class=${row.skipped ? 'skipped' : bad !== null ? 'bad' : ''}>
                <td>${row.width ?? ''}</td>
                <td>${BACKEND_LABEL[row.backend]}</td>
                <td>${VARIANT_LABEL[row.variant]}</td>
                <td>
                  ${fmtMs(row.stepMs?.median)}
                  ${row.stepMs ? html`<span class="spread">(${fmtMs(row.stepMs.p10)}–${fmtMs(row.stepMs.p90)})</span>` : nothing}
                </td>
                <td>${fmtNum(row.samplesPerSec)}</td>
                <td>${fmtNum(row.gflops)}</td>
                <td>${fmtNum(row.finalLoss, 4)}</td>
                <td>${fmtNum(row.finalValidationLoss, 4)}</td>
                ${
                  accuracy
                    ? html`<td>${fmtPercent(row.finalTrainAccuracy)}</td>
                        <td>${fmtPercent(row.finalValidationAccuracy)}</td>`
                    : nothing
                }
                <td class="status">
                  ${
                    row.skipped
                      ? `skipped: ${row.skipped}`
                      : bad !== null
                        ? html`<strong>⚠ NaN/Inf at step ${bad}</strong>`
                        : stoppedEarly(row.note)
                          ? row.note
                          : row.stepMs
                            ? `ok (${row.timer ?? 'wall'})`
                            : 'running…'
                  }
                  ${row.note && !row.skipped && !stoppedEarly(row.note) ? html`<br /><span class="spread">${row.note}</span>` : nothing}
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${
        r.agreement.length
          ? html`<div class="scroll" tabindex="0" aria-label="Agreement table, scrolls sideways">
              <table data-testid="agreement-rows">
                <caption>
                  Agreement at the step both runs reached (worst layer; per layer on hover). Weight gap max|W<sup>P</sup>
                  − W<sup>Q</sup>| / max|W<sup>Q</sup>|; norm gap |‖W<sup>P</sup>‖ − ‖W<sup>Q</sup>‖| / ‖W<sup>Q</sup>‖; floor: the same gaps between the
                  decay run and its one-ulp twin; ratio: the pair's largest gap over its floor.
                </caption>
                ${headRow(sweep, ['P', 'Q', 'weight gap', 'norm gap', 'floor (weight / norm)', 'ratio', 'verdict'])}
                <tbody>
                  ${r.agreement.map(
                    (g) =>
                      html`<tr>
                        <td>${g.width ?? ''}</td>
                        <td>${BACKEND_LABEL[g.a.backend]} ${VARIANT_LABEL[g.a.variant]}</td>
                        <td>${BACKEND_LABEL[g.b.backend]} ${VARIANT_LABEL[g.b.variant]}</td>
                        <td title=${g.weightGap.map((v) => fmtSci(v)).join(', ')}>${fmtSci(worst(g.weightGap))}</td>
                        <td title=${g.normGap.map((v) => fmtSci(v)).join(', ')}>${fmtSci(worst(g.normGap))}</td>
                        <td
                          title=${g.floorWeightGap ? `weight ${g.floorWeightGap.map((v) => fmtSci(v)).join(', ')}; norm ${(g.floorNormGap ?? []).map((v) => fmtSci(v)).join(', ')}` : ''}
                        >
                          ${g.floorWeightGap ? `${fmtSci(worst(g.floorWeightGap))} / ${fmtSci(worst(g.floorNormGap))}` : '–'}
                        </td>
                        <td>${g.floorRatio == null ? '–' : `${fmtNum(g.floorRatio)}×`}</td>
                        <td data-verdict=${g.verdict ?? ''}>${g.verdict ?? '–'}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : nothing
      }
    </section>`;
  }
}

/** A note that replaces "ok": the row stopped before its planned steps ("cancelled after 40 of 200 steps"). */
function stoppedEarly(note: string | null | undefined): note is string {
  return !!note && /^(cancelled|stopped)/.test(note);
}

/**
 * A table's column heads: the width column, then `names`. Outside a sweep the width column is
 * empty and its head is named for screen readers only (an empty header names nothing).
 */
function headRow(sweep: boolean, names: readonly string[]) {
  return html`<thead>
    <tr>
      <th scope="col">${sweep ? 'width' : html`<span class="visually-hidden">width</span>`}</th>
      ${names.map((name) => html`<th scope="col">${name}</th>`)}
    </tr>
  </thead>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-results-table': L2wdResultsTable;
  }
}
