import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { BenchResults } from '../bench/results';
import type { GapPair } from './chart-data';
import type { SpeedUp } from './chart-data';
import { BACKEND_LABEL, VARIANT_LABEL, gapPairs, noisyRowsText, nonFiniteFlags, onAxis, rowsAt, speedUpWithSpread, stepAxis } from './chart-data';
import { SAME_MAX_RATIO, describeVerdict, sameMapExpected } from '../model/verdict';
import { describeSchedule } from '../model/schedule';
import { fmtNum, fmtSci } from '../bench/format';
import { scaleToggle } from './scale-toggle';
import { chartLayoutStyles, panelStyles } from './shared-styles';
import { DASH, UplotController, axis, logTick, nonFiniteMarker, stepAxisOptions, themeColors, uplotStyles, valueAxis } from './uplot-controller';

/**
 * An exact 0 gap (bit-identical norms, common under SGD on one backend) has no place on a log
 * axis; drawing it at an arbitrary floor made the line saw-tooth across ten decades. Zeros are
 * left out and the line joins the non-zero points; the caption and the summary say so.
 */
const positiveOrNull = (v: number | null) => (v !== null && v > 0 ? v : null);

/**
 * Agreement: per-layer ‖W‖ over steps for L2 and decay on every backend that ran, and the
 * gaps between them on a log axis, each with a text summary (final gaps, speed-up).
 */
@customElement('l2wd-agreement-chart')
export class L2wdAgreementChart extends LitElement {
  static override styles = [
    panelStyles,
    uplotStyles,
    chartLayoutStyles,
    css`
      aside dl {
        margin: 0;
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.2rem 0.6rem;
      }
      aside dd {
        margin: 0;
        font-family: var(--l2wd-mono);
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      .verdict.same {
        color: var(--l2wd-ok);
        font-weight: 600;
      }
      .verdict.apart {
        color: var(--l2wd-l2-text);
        font-weight: 600;
      }
      .flag {
        color: var(--l2wd-error);
        font-weight: 600;
      }
      .glossary {
        display: block;
        font-size: 0.85rem;
      }
      .glossary dd {
        font-family: inherit;
        text-align: left;
        margin: 0 0 0.3rem 0;
      }
      figcaption {
        font-size: 0.85rem;
        color: var(--l2wd-muted);
        margin-top: 0.25rem;
      }
    `,
  ];

  /** The run (live while it streams, or imported). */
  @property({ attribute: false }) results?: BenchResults;
  /** Which swept width to show; null outside a sweep. */
  @property({ attribute: false }) width: number | null = null;

  /** ‖W_l‖ over steps. */
  readonly normsChart = new UplotController(this, () => this.renderRoot.querySelector<HTMLElement>('#norms-plot'));
  /** Log axis for the gaps (the default: they span decades), or linear. */
  @state() private gapLog = true;
  /** Gaps over steps, log axis. */
  readonly gapsChart = new UplotController(this, () => this.renderRoot.querySelector<HTMLElement>('#gaps-plot'));

  override willUpdate(): void {
    const results = this.results;
    if (!results || rowsAt(results, this.width).every((r) => r.norms.length === 0)) {
      this.normsChart.set(undefined);
      this.gapsChart.set(undefined);
      return;
    }
    const colors = themeColors(this);
    const rows = rowsAt(results, this.width).filter((r) => !r.skipped && r.norms.length > 0);
    const xs = stepAxis(rows);
    const layers = rows[0]?.norms[0]?.length ?? 0;
    const flags = nonFiniteFlags(results, this.width);
    const firstBad = flags.length ? Math.min(...flags.map((f) => f.step)) : null;
    const marker = nonFiniteMarker(firstBad, colors);

    // Colour says the regularizer, dash says the backend; deeper layers are drawn lighter.
    const normSeries: uPlot.Series[] = [{ label: 'step' }];
    const normData: (number | null)[][] = [];
    for (const r of rows)
      for (let l = 0; l < layers; l++) {
        normSeries.push({
          label: `‖W${l + 1}‖ ${BACKEND_LABEL[r.backend]} ${VARIANT_LABEL[r.variant]}`,
          stroke: r.variant === 'l2' ? colors.l2 : colors.decay,
          dash: DASH[r.backend],
          width: r.backend === 'gpu' ? 2 : 1.5,
          alpha: 1 - (0.55 * l) / Math.max(1, layers - 1),
          points: { show: false },
          value: (_u, v) => (v === null ? '—' : fmtNum(v, 6)),
        } as uPlot.Series);
        normData.push(onAxis(r, xs, (k) => r.norms[k][l]));
      }
    this.normsChart.set({
      key: `norms:${normSeries.map((s) => s.label).join('|')}:${colors.text}:${firstBad}`,
      options: {
        series: normSeries,
        hooks: { draw: [marker] },
        scales: { x: { time: false } },
        axes: [stepAxisOptions(colors), valueAxis(colors, '‖W‖_F', (v) => fmtNum(v))],
        legend: { live: true },
        cursor: { points: { size: 5 } },
      },
      data: [xs, ...normData] as uPlot.AlignedData,
    });

    const pairs = gapPairs(results, this.width);
    const gapSeries: uPlot.Series[] = [{ label: 'step' }];
    for (const p of pairs)
      gapSeries.push({
        label: p.label,
        stroke: p.kind === 'regularizer' ? (p.a.backend === 'gpu' ? colors.gpu : colors.cpu) : p.a.variant === 'l2' ? colors.l2 : colors.decay,
        dash: p.kind === 'regularizer' ? DASH[p.a.backend] : [2, 3],
        width: p.kind === 'regularizer' ? 2 : 1.25,
        points: { show: false },
        value: (_u, v) => (v === null ? '—' : fmtSci(v)),
        spanGaps: true,
      } as uPlot.Series);
    this.gapsChart.set(
      pairs.length === 0
        ? undefined
        : {
            key: `gaps:${this.gapLog}:${gapSeries.map((s) => s.label).join('|')}:${colors.text}:${firstBad}`,
            options: {
              series: gapSeries,
              hooks: { draw: [marker] },
              scales: {
                x: { time: false },
                // With every gap exactly 0 there is nothing to range on: show the f32 rounding band.
                y: this.gapLog
                  ? { distr: 3, log: 10, range: (_u, min, max) => (min > 0 && max > 0 ? uPlot.rangeLog(min, max, 10, true) : [1e-9, 1e-6]) }
                  : { distr: 1, range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1e-6] },
              },
              axes: [
                stepAxisOptions(colors),
                this.gapLog
                  ? axis(colors, { label: 'norm gap (worst layer)', size: 64, values: (_u, ticks) => ticks.map(logTick) })
                  : valueAxis(colors, 'norm gap (worst layer)', (v) => fmtSci(v)),
              ],
              legend: { live: true },
            },
            data: [xs, ...pairs.map((p) => p.history.map(positiveOrNull))] as uPlot.AlignedData,
          },
    );
  }

  override render() {
    const results = this.results;
    if (!results) return nothing;
    const pairs = gapPairs(results, this.width);
    const flags = nonFiniteFlags(results, this.width);
    const widthNote = this.width === null ? '' : ` at hidden width ${this.width}`;
    const speed = speedUpWithSpread(results, this.width);
    return html`<section class="card" aria-labelledby="agree-h" data-testid="agreement">
      <h2 id="agree-h">Agreement: L2 vs weight decay${widthNote}</h2>
      ${
        flags.length
          ? html`<p class="error" role="alert" data-testid="nonfinite-flag">
              <strong>Training diverged:</strong>
              ${flags.map((f) => `${BACKEND_LABEL[f.backend]} ${VARIANT_LABEL[f.variant]} produced NaN/Inf at step ${f.step}`).join('; ')}. Those points
              are left out of the charts (a gap in the line), not drawn as numbers. Lower η or λ.
            </p>`
          : nothing
      }
      <div class="pair">
        <figure>
          <div class="plot" id="norms-plot" role="img" aria-label="Per-layer weight norms over training steps, L2 and decay, per backend"></div>
          <figcaption>
            Per-layer ‖W‖<sub>F</sub>: <span style="color: var(--l2wd-l2-text)">L2</span> and <span style="color: var(--l2wd-decay-text)">decay</span>; GPU
            solid, CPU dashed, reference dotted; deeper layers lighter.
          </figcaption>
        </figure>
        <aside aria-label="Agreement summary" data-testid="agreement-summary">${this.renderSummary(pairs, speed)}</aside>
      </div>
      ${
        pairs.length
          ? html`<div class="pair">
              <figure>
                <div
                  class="plot"
                  id="gaps-plot"
                  role="img"
                  aria-label=${`Gaps between runs over training steps, ${this.gapLog ? 'log' : 'linear'} scale`}
                ></div>
                ${scaleToggle('gap-log', 'log gap axis', this.gapLog, (log) => (this.gapLog = log))}
                <figcaption>
                  Norm gap |‖W<sup>P</sup>‖ − ‖W<sup>Q</sup>‖| / ‖W<sup>Q</sup>‖, worst layer, ${this.gapLog ? 'log' : 'linear'} scale. f32 rounding sets
                  the floor near 10⁻⁷; steps where the norms are bit-identical (gap exactly 0) are not drawn.
                </figcaption>
              </figure>
              <aside aria-label="Gap figures">${this.renderGapTable(pairs)}</aside>
            </div>`
          : nothing
      }
    </section>`;
  }

  private renderSummary(pairs: GapPair[], speed: SpeedUp | null) {
    const reg = pairs.filter((p) => p.kind === 'regularizer');
    const config = this.results!.config;
    const optimizer = config.optimizer;
    const f64 = reg.find((p) => p.a.backend === 'reference');
    return html`${reg.map((p) => {
        const verdict = p.verdict;
        const cls = verdict === 'same' || verdict === 'identical' ? 'verdict same' : verdict === 'drift' ? 'verdict apart' : 'flag';
        return html`<p
          data-testid=${`gap-${p.id}`}
          data-verdict=${verdict ?? 'pending'}
          data-ratio=${String(p.floorRatio)}
          data-value=${String(p.finalWeightGap)}
        >
          <strong>${p.label}</strong><br />
          ${
            verdict === null
              ? html`<span class="muted">pending: compared once both runs finish</span>`
              : html`<span class=${cls}>${describeVerdict(verdict, p.floorRatio, config)}</span>`
          }
          <br />
          <span class="muted">
            weight gap <span class="mono" data-gap="weight">${fmtSci(p.finalWeightGap)}</span>, norm gap
            <span class="mono" data-gap="norm">${fmtSci(p.finalNormGap)}</span>${
              p.floorWeightGap !== null
                ? html`; rounding floor <span class="mono" data-gap="floor-weight">${fmtSci(p.floorWeightGap)}</span> /
                    <span class="mono" data-gap="floor-norm">${fmtSci(p.floorNormGap)}</span>`
                : nothing
            }${p.step !== null ? ` (worst layer, step ${p.step})` : ''}
          </span>
          ${
            p.zeroScaleLayers.length
              ? html`<br /><span class="muted"
                    >Layer ${p.zeroScaleLayers.join(', ')}: the decay weights are all exactly 0, so the gap there is 0 when L2's are 0 too and ∞
                    otherwise.</span
                  >`
              : nothing
          }
        </p>`;
      })}
      ${reg.length === 0 ? html`<p class="muted">No backend has both L2 and decay results (yet): nothing to compare.</p>` : nothing}
      ${
        f64 && sameMapExpected(config) && (f64.verdict === 'same' || f64.verdict === 'identical')
          ? html`<p data-testid="f64-identity">In float64 (the reference) the identity holds exactly: gap ${fmtSci(f64.finalWeightGap)}.</p>`
          : nothing
      }
      <p class="muted" data-testid="pairing-note">
        ${config.schedule !== 'constant' ? html`Schedule ${describeSchedule(config)}.<br />` : nothing}${
          optimizer === 'sgd'
            ? sameMapExpected(config)
              ? 'Plain SGD: L2 at λ and decay at α = η·λ are the same map, so the gap should stay within a few rounding floors.'
              : 'Plain SGD with a fixed α = η_0·λ: once η_t leaves η_0, decay no longer equals L2 (that needs α_t = η_t·λ), so they drift.'
            : optimizer === 'momentum'
              ? 'Momentum: the L2 term accumulates in the velocity, so L2 regularizes ≈ 1/(1−μ) times harder than decay.'
              : 'Adam: the L2 term is divided by √ŝ, so weights with large gradients are decayed less than under AdamW.'
        }
      </p>
      <details data-testid="gap-glossary">
        <summary>What the figures mean</summary>
        <dl class="glossary">
          <dt>weight gap</dt>
          <dd>max<sub>ij</sub> |W<sup>P</sup> − W<sup>Q</sup>| / max<sub>ij</sub> |W<sup>Q</sup>|, per layer; the worst layer is shown.</dd>
          <dt>norm gap</dt>
          <dd>|‖W<sup>P</sup>‖<sub>F</sub> − ‖W<sup>Q</sup>‖<sub>F</sub>| / ‖W<sup>Q</sup>‖<sub>F</sub>, per layer: what the lower chart plots.</dd>
          <dt>rounding floor</dt>
          <dd>
            The same two gaps between the decay run and a twin that started one ulp away (a random sign per weight): how far rounding alone moves this run.
            Never taken below one ulp per step. The verdict is the pair's gap as a multiple of it: up to ${SAME_MAX_RATIO}× is rounding.
          </dd>
        </dl>
      </details>
      ${speed !== null ? this.renderSpeedUp(speed) : nothing}`;
  }

  private renderSpeedUp(speed: SpeedUp) {
    const faster = speed.ratio >= 1 ? 'GPU' : 'CPU';
    const slower = speed.ratio >= 1 ? 'CPU' : 'GPU';
    const k = (x: number) => fmtNum(speed.ratio >= 1 ? x : 1 / x);
    const [lo, hi] = speed.ratio >= 1 ? [speed.low, speed.high] : [speed.high, speed.low];
    return html`<p data-testid="speedup" data-meaningful=${String(speed.meaningful)}>
      From median step times, the ${faster} is <strong class="mono">${k(speed.ratio)}×</strong> faster than the ${slower} here (p10–p90 spread:
      <span class="mono">${k(lo)}–${k(hi)}×</span>).
      ${speed.meaningful ? nothing : html`<strong>The spreads overlap: neither is reliably faster at this size.</strong>`}
      ${speed.noisy.length ? html`<br /><span class="muted">${noisyRowsText(speed.noisy)}: these timings are noisy.</span>` : nothing}
    </p>`;
  }

  private renderGapTable(pairs: GapPair[]) {
    return html`<dl>
      <dt class="muted">pair (worst layer)</dt>
      <dd class="muted">weight gap · norm gap</dd>
      ${pairs.map(
        (p) =>
          html`<dt>${p.label}</dt>
            <dd>${fmtSci(p.finalWeightGap)} · ${fmtSci(p.finalNormGap)}</dd>`,
      )}
    </dl>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-agreement-chart': L2wdAgreementChart;
  }
}
