import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fmtAbout, fmtEta, fmtNum } from '../bench/format';
import { LR_AXIS, STRENGTH_AXIS, parseGridAxis } from '../bench/grid-axes';
import type { DecayConvention, GridHeatmap } from '../bench/grid-results';
import { comparePair, describeGridConfig, describeHeatmap, describePair } from '../bench/grid-summary';
import type { BenchResults } from '../bench/results';
import type { RunProgress } from '../bench/run-plan';
import type { Backend, MlpConfig, OptimizerName } from '../model/config';
import { OPTIMIZERS } from '../model/config';
import { lossScale, viridisGradient } from './colour-scale';
import type { GridRequest } from './grid-session';
import { predictGridSeconds, runGridSession } from './grid-session';
import { downloadResults } from './results-io';
import { panelStyles } from './shared-styles';
import { gridPanelStyles } from './l2wd-grid-panel.styles';
import './l2wd-grid-heatmap';

/** A grid predicted over this long asks for a second press, as a long plain run does. */
const ASK_SECONDS = 180;

const CONVENTION_LABEL: Record<DecayConvention, string> = {
  'alpha-over-lr': 'α/η — PyTorch weight_decay (α = η·λ, lines up with L2 under SGD)',
  alpha: 'α — the per-step decay of the paper',
};

/**
 * The grid run on the page (docs/DESIGN.md, Grid: the page): its axes and optimizers, Start and
 * Cancel with an estimate, then for the chosen optimizer L2 and decay side by side on the same
 * learning-rate axis, a labelled switch between the two decay conventions, a sentence computed
 * from the data, and export. The model's shape, data and steps are the configuration form's.
 */
@customElement('l2wd-grid-panel')
export class L2wdGridPanel extends LitElement {
  static override styles = [panelStyles, gridPanelStyles];

  /** The configuration form's valid configuration (shape, data, steps, optimizer settings); null while it has errors. */
  @property({ attribute: false }) config: MlpConfig | null = null;
  /** Backends the form offers. */
  @property({ attribute: false }) backends: Backend[] = ['gpu', 'cpu', 'reference'];
  /** A plain run is going: the grid waits. */
  @property({ type: Boolean }) busy = false;
  /** Grid results to show (a run's, or an imported file's). */
  @property({ attribute: false }) results: BenchResults | null = null;

  @state() private lrText = '1e-3..1e0:4';
  @state() private strengthText = '1e-5..1e-1:4';
  @state() private optimizers: OptimizerName[] = ['sgd', 'adam'];
  @state() private backend: Backend | null = null;
  @state() private running = false;
  @state() private progress: RunProgress | null = null;
  @state() private message: { kind: 'error' | 'info'; text: string } | null = null;
  @state() private convention: DecayConvention = 'alpha-over-lr';
  @state() private shownOptimizer: OptimizerName | null = null;
  @state() private askFirst = false;
  private controller: AbortController | null = null;

  private chosenBackend(): Backend {
    return this.backend ?? this.backends[0] ?? 'reference';
  }

  /** The request and its estimate, or the field errors. */
  private plan(): { request: GridRequest | null; errors: Record<string, string>; seconds: number | null } {
    const errors: Record<string, string> = {};
    const axis = (field: string, text: string, rule: typeof LR_AXIS) => {
      try {
        return parseGridAxis(text, rule);
      } catch (e) {
        errors[field] = (e as Error).message;
        return [];
      }
    };
    const lrs = axis('grid-lr', this.lrText, LR_AXIS);
    const strengths = axis('grid-lambda', this.strengthText, STRENGTH_AXIS);
    if (this.optimizers.length === 0) errors['grid-optimizers'] = 'choose at least one optimizer';
    if (!this.config) errors.config = 'the configuration above has errors';
    if (Object.keys(errors).length > 0 || !this.config) return { request: null, errors, seconds: null };
    const request: GridRequest = {
      config: this.config,
      backend: this.chosenBackend(),
      optimizers: this.optimizers,
      lrs,
      strengths,
      conventions: ['alpha-over-lr', 'alpha'],
    };
    try {
      return { request, errors, seconds: predictGridSeconds(request) };
    } catch (e) {
      return { request: null, errors: { grid: (e as Error).message }, seconds: null };
    }
  }

  private busyChanged(running: boolean): void {
    this.running = running;
    this.dispatchEvent(new CustomEvent('grid-busy', { detail: running, bubbles: true, composed: true }));
  }

  private async start(confirmed = false): Promise<void> {
    const { request, seconds } = this.plan();
    if (!request || this.running || this.busy) return;
    if (seconds !== null && seconds > ASK_SECONDS && !confirmed) {
      this.askFirst = true;
      return;
    }
    this.askFirst = false;
    this.controller = new AbortController();
    this.message = null;
    this.progress = null;
    this.busyChanged(true);
    try {
      const r = await runGridSession(request, { onProgress: (p) => (this.progress = p), signal: this.controller.signal });
      this.results = r;
      this.shownOptimizer = null;
      this.message = { kind: 'info', text: r.stopped ? `Stopped: ${r.stopped}.` : `Done in ${fmtEta(r.elapsedSeconds ?? 0)}.` };
    } catch (e) {
      this.message = { kind: 'error', text: `The grid did not run: ${(e as Error).message}` };
    } finally {
      this.controller = null;
      this.busyChanged(false);
    }
  }

  /** Enter in an axis field starts the grid, like Start grid (as Enter in the run form starts a run). */
  private onKeydown = (e: KeyboardEvent): void => {
    const target = e.composedPath()[0];
    if (e.key !== 'Enter' || e.isComposing || !(target instanceof HTMLInputElement) || target.type !== 'text') return;
    e.preventDefault();
    void this.start();
  };

  private toggleOptimizer(o: OptimizerName, on: boolean): void {
    this.optimizers = OPTIMIZERS.filter((x) => (x === o ? on : this.optimizers.includes(x)));
  }

  private renderForm() {
    const { request, errors, seconds } = this.plan();
    const backends = this.backends.length ? this.backends : (['reference'] as Backend[]);
    const err = (field: string) => (errors[field] ? html`<span class="error" data-error-for=${field}>${errors[field]}</span>` : nothing);
    return html`<div class="fields" @keydown=${this.onKeydown}>
        <label for="grid-lr"
          >Learning rates η (a..b:n log-spaced, or a list)
          <input id="grid-lr" type="text" .value=${this.lrText} @input=${(e: Event) => (this.lrText = (e.target as HTMLInputElement).value)} />
          ${err('grid-lr')}</label
        >
        <label for="grid-lambda"
          >Strengths (λ, and α/η or α)
          <input
            id="grid-lambda"
            type="text"
            .value=${this.strengthText}
            @input=${(e: Event) => (this.strengthText = (e.target as HTMLInputElement).value)}
          />
          ${err('grid-lambda')}</label
        >
        <fieldset>
          <legend>Optimizers</legend>
          ${OPTIMIZERS.map(
            (o) =>
              html`<label
                ><input
                  type="checkbox"
                  data-optimizer=${o}
                  .checked=${this.optimizers.includes(o)}
                  @change=${(e: Event) => this.toggleOptimizer(o, (e.target as HTMLInputElement).checked)}
                />${o}</label
              >`,
          )}
          ${err('grid-optimizers')}
        </fieldset>
        <label for="grid-backend"
          >Backend
          <select id="grid-backend" @change=${(e: Event) => (this.backend = (e.target as HTMLSelectElement).value as Backend)}>
            ${backends.map((b) => html`<option value=${b} ?selected=${b === this.chosenBackend()}>${b}</option>`)}
          </select></label
        >
        <button
          type="button"
          class="primary"
          data-testid="grid-start"
          ?disabled=${!request || this.running || this.busy}
          @click=${() => void this.start()}
        >
          Start grid
        </button>
        <button type="button" data-testid="grid-cancel" ?disabled=${!this.running} @click=${() => this.controller?.abort()}>Cancel</button>
      </div>
      ${err('grid')}${err('config')}
      ${
        request && seconds !== null && !this.running
          ? html`<p class="muted" data-testid="grid-estimate">
              ${request.lrs.length} × ${request.strengths.length} models per heatmap, ${request.optimizers.length * 4} heatmaps (with the rounding twins)
              of ${request.config.steps} steps: predicted ${fmtAbout(seconds)} from assumed rates (a loaded machine takes longer).
            </p>`
          : nothing
      }
      ${
        this.askFirst
          ? html`<p role="alert">
              This grid may take over ${fmtEta(ASK_SECONDS)}.
              <button type="button" data-testid="grid-start-anyway" @click=${() => void this.start(true)}>Start anyway</button>
            </p>`
          : nothing
      }
      ${
        this.running && this.progress
          ? html`<progress aria-label="Grid progress" max=${this.progress.total} value=${this.progress.done}></progress>
              <p class="muted">${this.progress.label}${this.progress.etaSeconds !== null ? ` · ${fmtEta(this.progress.etaSeconds)} left` : ''}</p>`
          : nothing
      }
      ${
        this.message
          ? html`<p
              class=${this.message.kind === 'error' ? 'error' : 'muted'}
              role=${this.message.kind === 'error' ? 'alert' : 'status'}
              data-testid="grid-message"
            >
              ${this.message.text}
            </p>`
          : nothing
      }`;
  }

  private renderMaps(r: BenchResults) {
    const grid = r.grid!;
    const optimizer = this.shownOptimizer ?? grid.optimizers[0];
    const of = (variant: 'l2' | 'decay', axis: string) =>
      grid.heatmaps.find((h) => h.optimizer === optimizer && h.variant === variant && h.axis === axis) ?? null;
    const l2 = of('l2', 'lambda');
    const convention = grid.conventions.includes(this.convention) ? this.convention : grid.conventions[0];
    const decay = of('decay', convention);
    const shown = [l2, decay].filter((h): h is GridHeatmap => h !== null);
    const scale = lossScale(shown.flatMap((h) => h.cells.map((c) => c.validationLoss)));
    const pairHeatmap = of('decay', 'alpha-over-lr');
    const pair = l2 && pairHeatmap ? comparePair(l2, pairHeatmap) : null;
    return html`<div class="fields">
        ${
          grid.optimizers.length > 1
            ? html`<label for="grid-show"
                >Optimizer shown
                <select id="grid-show" @change=${(e: Event) => (this.shownOptimizer = (e.target as HTMLSelectElement).value as OptimizerName)}>
                  ${grid.optimizers.map((o) => html`<option value=${o} ?selected=${o === optimizer}>${o}</option>`)}
                </select></label
              >`
            : nothing
        }
        <fieldset>
          <legend>Decay axis</legend>
          ${grid.conventions.map(
            (c) =>
              html`<label
                ><input
                  type="radio"
                  name="convention"
                  data-convention=${c}
                  .checked=${c === convention}
                  @change=${() => (this.convention = c)}
                />${CONVENTION_LABEL[c]}</label
              >`,
          )}
        </fieldset>
      </div>
      <p class="muted" data-testid="grid-config">Every model here: ${describeGridConfig(r.config)}.</p>
      ${pair ? html`<p data-testid="grid-pair" data-verdict=${pair.verdict}>${describePair(pair)}.</p>` : nothing}
      <div class="maps">
        ${shown.map(
          (h) =>
            html`<div>
              <l2wd-grid-heatmap
                data-testid=${`heatmap-${h.variant}`}
                .heatmap=${h}
                .lrs=${grid.lrs}
                .strengths=${grid.strengths}
                .scale=${scale}
                heading=${`${optimizer} · ${h.variant === 'l2' ? 'L2 (λ)' : `decay (${h.axis === 'alpha' ? 'α' : 'α/η'})`}`}
              ></l2wd-grid-heatmap>
              <p class="muted" data-testid=${`heatmap-${h.variant}-summary`}>${describeHeatmap(h, grid)}.</p>
              ${
                h.modelStepsPerSec !== null
                  ? html`<p class="muted">
                      ${h.cells.length} models × ${h.steps} steps: ${fmtNum(h.modelStepsPerSec)} model-steps/s (${h.engine ?? h.backend}).
                    </p>`
                  : nothing
              }
            </div>`,
        )}
      </div>
      ${
        scale
          ? html`<div class="legend" aria-hidden="true">
              <span>loss ${fmtNum(scale.max, 3)}</span><span class="bar" style="background: ${viridisGradient()}"></span
              ><span>${fmtNum(scale.min, 3)} (best)</span>
            </div>`
          : nothing
      }
      <p>
        <button type="button" data-testid="grid-export-json" @click=${() => downloadResults(r, undefined, 'json')}>Export grid JSON</button>
        <button type="button" data-testid="grid-export-csv" @click=${() => downloadResults(r, undefined, 'csv')}>Export grid CSV</button>
      </p>`;
  }

  override render() {
    const r = this.results?.grid ? this.results : null;
    return html`<section class="card" aria-labelledby="grid-h" data-testid="grid-panel">
      <h2 id="grid-h">Learning rate × regularization grid</h2>
      <p class="muted">
        Loshchilov &amp; Hutter’s Figure 2: the final validation loss over learning rate × strength, for L2 and for decay, every model from the same
        weights (the form’s layers, data and steps). With α/η (PyTorch’s weight_decay) SGD’s two maps are the same cell by cell; with α itself the paper’s
        decoupling shows.
      </p>
      ${this.renderForm()} ${r ? this.renderMaps(r) : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-grid-panel': L2wdGridPanel;
  }
}
