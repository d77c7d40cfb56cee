import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { BenchResults } from '../bench/results';
import type { ThroughputMetric } from './chart-data';
import {
  BACKEND_LABEL,
  METRIC_LABEL,
  crossover,
  metricOf,
  speedUpWithSpread,
  stepTimeOrigin,
  sweepStandingText,
  timedBackends,
  widthsOf,
} from './chart-data';
import { fmtMs, fmtNum } from '../bench/format';
import { scaleToggle } from './scale-toggle';
import { chartLayoutStyles, panelStyles } from './shared-styles';
import { DASH, UplotController, axis, drawVerticalMarker, logTick, themeColors, uplotStyles, valueAxis } from './uplot-controller';

/**
 * Throughput across a sweep: step time, samples/s or GFLOP/s against hidden width, GPU vs
 * CPU on log-log axes, with the crossover width (where the GPU starts to win) marked.
 */
@customElement('l2wd-throughput-chart')
export class L2wdThroughputChart extends LitElement {
  static override styles = [
    panelStyles,
    uplotStyles,
    chartLayoutStyles,
    css`
      .head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: baseline;
        gap: 0.5rem;
      }
      .metric {
        display: inline-flex;
        gap: 0;
        border: 1px solid var(--l2wd-border);
        border-radius: 8px;
        overflow: hidden;
      }
      .metric button {
        border: 0;
        border-radius: 0;
        padding: 0.3rem 0.7rem;
        font-size: 0.85rem;
      }
      .metric button[aria-pressed='true'] {
        background: var(--l2wd-accent);
        color: var(--l2wd-accent-text);
      }
      figcaption {
        font-size: 0.85rem;
        color: var(--l2wd-muted);
      }
      table.per-width {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
      table.per-width th,
      table.per-width td {
        text-align: right;
        padding: 0.15rem 0.3rem;
        white-space: nowrap;
      }
      /* The range under a speed-up: small, and free to wrap so the table fits beside the plot. */
      table.per-width .range {
        display: block;
        font-size: 0.75rem;
        white-space: normal;
      }
      table.per-width thead th {
        color: var(--l2wd-muted);
        font-weight: 500;
      }
    `,
  ];

  /** A sweep (rows with a width); a single-size run shows only its summary. */
  @property({ attribute: false }) results?: BenchResults;

  @state() private metric: ThroughputMetric = 'stepMs';
  /** Log y axis (the default: widths span decades and so do step times), or linear. */
  @state() private logY = true;

  readonly chart = new UplotController(this, () => this.renderRoot.querySelector<HTMLElement>('#tp-plot'));

  private sweepWidths(): number[] {
    return this.results ? widthsOf(this.results).filter((w): w is number => w !== null) : [];
  }

  override willUpdate(): void {
    const results = this.results;
    const widths = this.sweepWidths();
    if (!results || widths.length === 0) {
      this.chart.set(undefined);
      return;
    }
    const colors = themeColors(this);
    const backends = timedBackends(results);
    const metric = this.metric;
    const cross = crossover(results).width;
    const series: uPlot.Series[] = [{ label: 'width', value: (_u, v) => (v === null ? '—' : String(v)) }];
    for (const b of backends)
      series.push({
        label: BACKEND_LABEL[b],
        stroke: b === 'gpu' ? colors.gpu : b === 'cpu' ? colors.cpu : colors.muted,
        dash: DASH[b],
        width: 2,
        points: { show: true, size: 7 },
        value: (_u, v) => (v === null ? '—' : metric === 'stepMs' ? fmtMs(v) : fmtNum(v)),
      } as uPlot.Series);
    // The crossover marker is drawn on the canvas after the series, with its label.
    const marker = (u: uPlot) => {
      if (cross !== null) drawVerticalMarker(u, cross, ` crossover ≈ ${Math.round(cross)}`, { color: colors.accent, width: 1.5, dash: [5, 4] }, colors);
    };
    this.chart.set({
      key: `tp:${metric}:${this.logY}:${backends.join(',')}:${cross}:${colors.text}`,
      options: {
        series,
        scales: { x: { time: false, distr: 3, log: 2 }, y: this.logY ? { distr: 3, log: 10 } : { distr: 1 } },
        axes: [
          axis(colors, { label: 'hidden width', values: (_u, t) => t.map((v) => String(v)) }),
          this.logY
            ? axis(colors, { label: METRIC_LABEL[metric], size: 64, values: (_u, t) => t.map((v) => logTick(v) || '') })
            : valueAxis(colors, METRIC_LABEL[metric], (v) => fmtNum(v)),
        ],
        hooks: { draw: [marker] },
        legend: { live: true },
      },
      data: [widths, ...backends.map((b) => widths.map((w) => metricOf(results, w, b, metric)))] as uPlot.AlignedData,
    });
  }

  override render() {
    const results = this.results;
    if (!results || timedBackends(results).length === 0) return nothing;
    const widths = this.sweepWidths();
    return html`<section class="card" aria-labelledby="tp-h" data-testid="throughput">
      <div class="head">
        <h2 id="tp-h">Throughput${widths.length ? ': GPU vs CPU across widths' : ''}</h2>
        ${
          widths.length
            ? html`<div class="metric" role="group" aria-label="Metric">
                  ${(['stepMs', 'samplesPerSec', 'gflops'] as const).map(
                    (m) =>
                      html`<button type="button" aria-pressed=${String(this.metric === m)} @click=${() => (this.metric = m)}>${METRIC_LABEL[m]}</button>`,
                  )}
                </div>
                ${scaleToggle('log-y', 'log y axis', this.logY, (log) => (this.logY = log))}`
            : nothing
        }
      </div>
      ${
        results.adapter?.isFallbackAdapter
          ? html`<p class="notice" role="note">Software adapter: GPU timings here are CPU emulation, not GPU performance.</p>`
          : nothing
      }
      ${
        widths.length
          ? html`<div class="pair">
              <figure>
                <div
                  class="plot"
                  id="tp-plot"
                  role="img"
                  aria-label=${`${METRIC_LABEL[this.metric]} against hidden width, ${this.logY ? 'log-log' : 'log width, linear value'}`}
                ></div>
                <figcaption>
                  ${this.logY ? 'Log-log' : 'Log width, linear value'}; each point is the median over repeats, mean of the L2 and decay runs (same work).
                </figcaption>
              </figure>
              <aside data-testid="throughput-summary">${this.renderSweepSummary(results)}</aside>
            </div>`
          : html`<div data-testid="throughput-summary">${this.renderSingle(results)}</div>`
      }
    </section>`;
  }

  private renderSweepSummary(results: BenchResults) {
    const c = crossover(results);
    return html`<p data-testid="sweep-standing">
        ${
          c.width !== null
            ? html`From the medians, the GPU overtakes the CPU at hidden width ≈
                <strong class="mono" data-testid="crossover">${Math.round(c.width)}</strong>. `
            : ''
        }${sweepStandingText(results)}
      </p>
      <table class="per-width" aria-label="Median step time per width">
        <thead>
          <tr>
            <th scope="col">width</th>
            <th scope="col">GPU</th>
            <th scope="col">CPU</th>
            <th scope="col" title="CPU step time over GPU step time, from the medians; below it the range the p10–p90 spreads allow">speed-up</th>
          </tr>
        </thead>
        <tbody>
          ${this.sweepWidths().map((w) => {
            const g = metricOf(results, w, 'gpu', 'stepMs');
            const cpu = metricOf(results, w, 'cpu', 'stepMs');
            const s = speedUpWithSpread(results, w);
            return html`<tr>
              <th scope="row">${w}</th>
              <td>${fmtMs(g)}</td>
              <td>${fmtMs(cpu)}</td>
              <td data-testid="speed-up">
                ${
                  s === null
                    ? '—'
                    : html`${s.meaningful ? html`<strong>${fmtNum(s.ratio)}×</strong>` : html`${fmtNum(s.ratio)}×`}<span class="muted range"
                          >${fmtNum(s.low, 2)}–${fmtNum(s.high, 2)}${s.meaningful ? '' : ', overlap'}</span
                        >`
                }
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
      <p class="muted">
        Speed-ups from the medians; under each, the range the p10–p90 spreads allow ("overlap": it includes 1×, so neither backend is reliably faster at
        that width).
      </p>`;
  }

  private renderSingle(results: BenchResults) {
    const backends = timedBackends(results);
    return html`<p>
        ${backends.map((b) => {
          const origin = stepTimeOrigin(results, b, fmtMs);
          return html`${BACKEND_LABEL[b]}: <strong class="mono">${fmtMs(metricOf(results, null, b, 'stepMs'))}</strong> per step,
            ${fmtNum(metricOf(results, null, b, 'samplesPerSec'))} samples/s, ${fmtNum(metricOf(results, null, b, 'gflops'))} GFLOP/s (matmul only)
            ${origin ? html`<span class="muted" data-testid="step-origin">— ${origin}</span>` : nothing}.<br />`;
        })}
      </p>
      <p class="muted">Run a sweep (or the “Stress sweep” preset) to see throughput across widths and where the GPU wins.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-throughput-chart': L2wdThroughputChart;
  }
}
