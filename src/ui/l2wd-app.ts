import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { GpuProbe } from './gpu-probe';
import { probeGpu } from './gpu-probe';
import { appStyles } from './l2wd-app.styles';
import { PRESETS } from './presets';
import { downloadResults, importResults } from './results-io';
import { RunController } from './run-controller';
import type { FitLimits, RunDraft } from './run-draft';
import { DEFAULT_DRAFT, checkDraft, draftFromQuery, draftToQuery, queryNotices } from './run-draft';
import { estimateRun, reasonsToAsk } from './run-estimate';
import { panelStyles } from './shared-styles';
import { fmtAbout, formatBytes } from '../bench/format';
import { widthsOf } from './chart-data';
import type { BenchResults } from '../bench/results';
import './l2wd-adapter-panel';
import './l2wd-agreement-chart';
import './l2wd-config-form';
import './l2wd-explainer';
import './l2wd-grid-panel';
import './l2wd-loss-chart';
import './l2wd-accuracy-chart';
import { hasAccuracy } from '../model/accuracy';
import './l2wd-results-table';
import './l2wd-run-controls';
import './l2wd-throughput-chart';

/**
 * The page: configuration (mirrored in the URL), run controls, the adapter, and the
 * results (agreement, loss, throughput, table), with export and import. The run itself is
 * the RunController's; the elements below are views that raise events.
 */
@customElement('l2wd-app')
export class L2wdApp extends LitElement {
  static override styles = [panelStyles, appStyles];

  private readonly run = new RunController(this, () => void this.refreshProbe());
  @state() private probe?: GpuProbe;
  @state() private draft: RunDraft = draftFromQuery(location.search, DEFAULT_DRAFT);
  @state() private preset = '';
  /** What the address had that the page could not take; shown until the form is edited. */
  @state() private linkNotices: string[] = queryNotices(location.search);
  /** Why the next Start needs a second press (a long or large run), or empty. */
  @state() private askFirst: string[] = [];
  /** Where the shown results came from: this page's run, or an imported file. */
  @state() private source: 'run' | 'import' | null = null;
  @state() private chartWidth: number | null = null;
  /** A grid run is going (the grid panel's own Start and Cancel): the plain run waits. */
  @state() private gridBusy = false;
  /** An imported file's grid, for the grid panel. */
  @state() private gridResults: BenchResults | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.preset = PRESETS.find((p) => draftToQuery(p.draft) === draftToQuery(this.draft))?.id ?? '';
    void this.refreshProbe();
  }

  private async refreshProbe(): Promise<void> {
    try {
      this.probe = await probeGpu();
    } catch (e) {
      this.probe = { status: 'missing', reason: `Asking for WebGPU failed: ${(e as Error).message}`, help: [] };
    }
  }

  private limits(): FitLimits | null {
    return this.probe?.status === 'ok' ? this.probe.limits : null;
  }

  private onDraft(e: CustomEvent<{ draft: RunDraft; preset?: string }>): void {
    this.draft = e.detail.draft;
    this.preset = e.detail.preset ?? '';
    this.askFirst = [];
    this.linkNotices = [];
    // replaceState, not pushState: each keystroke must not become a Back-button entry.
    history.replaceState(null, '', `${location.pathname}?${draftToQuery(this.draft)}${location.hash}`);
  }

  /** Starts the run; a long or large one the first time only says so and asks for a second press. */
  private async start(confirmed = false): Promise<void> {
    if (this.run.phase !== 'idle' || this.gridBusy) return;
    const { request, errors, skips } = checkDraft(this.draft, this.limits());
    if (!request) {
      this.run.say({ kind: 'error', text: `The configuration has errors: ${Object.values(errors).join('; ')}` });
      return;
    }
    const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
    const why = reasonsToAsk(estimateRun(request, skips, this.run.rates), memory ? memory * 2 ** 30 : null);
    if (why.length && !confirmed) {
      this.askFirst = why;
      return;
    }
    this.askFirst = [];
    this.source = 'run';
    this.chartWidth = request.sweep ? request.sweep[0] : null;
    await this.run.start(request);
  }

  private async onImport(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const { results, baseline, draft, widths } = await importResults(file);
      if (results.grid) {
        // A grid file goes to the grid panel; the plain charts keep what they show.
        this.gridResults = results;
        this.run.say({ kind: 'info', text: `Imported ${file.name}: a grid of ${results.grid.heatmaps.length} heatmaps.` });
        return;
      }
      this.source = 'import';
      this.chartWidth = widths[0] ?? null;
      this.draft = draft;
      this.preset = '';
      history.replaceState(null, '', `${location.pathname}?${draftToQuery(this.draft)}`);
      const rows = `${results.results.length} result rows${baseline ? ` and ${baseline.results.length} λ = 0 baseline` : ''}`;
      this.run.show(results, baseline, { kind: 'info', text: `Imported ${file.name}: ${rows}.` });
    } catch (err) {
      this.run.say({ kind: 'error', text: `Could not import ${file.name}: ${(err as Error).message}` });
    } finally {
      input.value = '';
    }
  }

  override updated(): void {
    // State on the host, so automation (and the e2e tests) can wait on it without reaching into the shadow root.
    this.dataset.phase = this.run.phase;
    this.dataset.runs = String(this.run.runs);
  }

  override render() {
    const { errors, request, skips } = checkDraft(this.draft, this.limits());
    const { phase, progress, message, notice, results, baseline } = this.run;
    const estimate = request ? estimateRun(request, skips, this.run.rates) : null;
    const widths = results ? widthsOf(results).filter((w): w is number => w !== null) : [];
    const sweep = widths.length > 1;
    const throughput = html`<l2wd-throughput-chart .results=${results}></l2wd-throughput-chart>`;
    return html`<header>
        <h1><span class="l2">L2 regularization</span> vs <span class="wd">weight decay</span></h1>
        <p>
          Under plain SGD, L2 at λ and weight decay at α = η·λ are the same update; under momentum and Adam they drift apart. This page trains the same MLP
          both ways, with WGSL on the GPU and in TypeScript on the CPU, side by side, and measures where the GPU gets faster.
        </p>
      </header>
      <main>
        ${
          this.linkNotices.length
            ? html`<p class="notice" role="status" data-testid="link-notice">From the link: ${this.linkNotices.join('; ')}.</p>`
            : nothing
        }
        <div class="top">
          <div class="stack">
            <l2wd-config-form
              .draft=${this.draft}
              .errors=${errors}
              .skips=${skips}
              .preset=${this.preset}
              ?disabled=${phase !== 'idle'}
              @draft-change=${this.onDraft}
              @run-request=${() => void this.start()}
            ></l2wd-config-form>
          </div>
          <div class="stack">
            <l2wd-run-controls
              .phase=${phase}
              .canStart=${Boolean(request) && !this.gridBusy}
              .blocked=${Object.values(errors).join('; ')}
              .progress=${progress}
              @run-request=${() => void this.start()}
              @cancel-request=${() => this.run.cancel()}
            >
              ${
                estimate && phase === 'idle'
                  ? html`<p class="muted estimate" data-testid="estimate">
                      Predicted: ${fmtAbout(estimate.seconds)}${estimate.gpuBytes ? html`, ${formatBytes(estimate.gpuBytes)} on the GPU` : nothing},
                      ${formatBytes(estimate.hostBytes)} of host
                      memory${this.run.rates.measuredAny() ? ' (from the last run’s step times)' : ' (from assumed rates until a run has measured this machine)'}.
                    </p>`
                  : nothing
              }
              ${
                this.askFirst.length && phase === 'idle'
                  ? html`<div class="ask" role="alert" data-testid="ask-first">
                      <p>Start this run? ${this.askFirst.join('; ')}.</p>
                      <button type="button" class="primary" data-testid="start-anyway" @click=${() => void this.start(true)}>Start anyway</button>
                      <button type="button" @click=${() => (this.askFirst = [])}>Not now</button>
                    </div>`
                  : nothing
              }
              ${notice ? html`<p class="notice" data-testid="run-notice">${notice}</p>` : nothing}
              ${
                message
                  ? html`<p
                      class=${message.kind === 'error' ? 'error' : 'muted'}
                      role=${message.kind === 'error' ? 'alert' : 'status'}
                      data-testid="run-message"
                    >
                      ${message.text}
                    </p>`
                  : nothing
              }
              <div class="io">
                <button type="button" data-testid="export-json" ?disabled=${!results} @click=${() => downloadResults(results!, baseline, 'json')}>
                  Export JSON
                </button>
                <button type="button" data-testid="export-csv" ?disabled=${!results} @click=${() => downloadResults(results!, baseline, 'csv')}>
                  Export CSV
                </button>
                <label class="file"
                  >Import JSON
                  <input type="file" data-testid="import" accept=".json,application/json" ?disabled=${phase !== 'idle'} @change=${this.onImport}
                /></label>
              </div>
            </l2wd-run-controls>
            <l2wd-adapter-panel .probe=${this.probe}></l2wd-adapter-panel>
            <l2wd-explainer
              .optimizer=${(this.draft.optimizer as 'sgd') ?? 'sgd'}
              .schedule=${this.draft.schedule}
              .decaySchedule=${this.draft.decaySchedule}
            ></l2wd-explainer>
          </div>
        </div>
        <l2wd-grid-panel
          .config=${request?.config ?? null}
          .backends=${request?.backends ?? []}
          .results=${this.gridResults}
          ?busy=${phase !== 'idle'}
          @grid-busy=${(e: CustomEvent<boolean>) => (this.gridBusy = e.detail)}
        ></l2wd-grid-panel>
        ${
          results
            ? html`<div class="results" aria-live="off">
                ${
                  this.source === 'import'
                    ? html`<p class="source" data-testid="imported">
                        Showing imported
                        results${results.createdAt ? ` from ${results.createdAt}` : ''}${
                          results.adapter
                            ? ` (adapter: ${results.adapter.vendor} ${results.adapter.architecture}${results.adapter.isFallbackAdapter ? ', software fallback' : ''})`
                            : ''
                        }.
                      </p>`
                    : nothing
                }
                ${sweep ? throughput : nothing}
                ${
                  sweep
                    ? html`<label class="width-pick"
                        >Agreement and loss at hidden width
                        <select
                          data-testid="width-pick"
                          .value=${String(this.chartWidth)}
                          @change=${(e: Event) => (this.chartWidth = Number((e.target as HTMLSelectElement).value))}
                        >
                          ${widths.map((w) => html`<option value=${w} ?selected=${w === this.chartWidth}>${w}</option>`)}
                        </select></label
                      >`
                    : nothing
                }
                <l2wd-agreement-chart .results=${results} .width=${this.chartWidth}></l2wd-agreement-chart>
                <l2wd-loss-chart .results=${results} .baseline=${baseline} .width=${this.chartWidth}></l2wd-loss-chart>
                ${hasAccuracy(results.config) ? html`<l2wd-accuracy-chart .results=${results} .baseline=${baseline} .width=${this.chartWidth}></l2wd-accuracy-chart>` : nothing}
                ${sweep ? nothing : throughput}
                <l2wd-results-table .results=${results}></l2wd-results-table>
              </div>`
            : html`<section class="card empty" data-testid="empty" aria-labelledby="empty-h">
                <h2 id="empty-h">No results yet</h2>
                <p>
                  Pick a preset and press <strong>Start run</strong>: the agreement charts fill step by step as both regularizers train, then the loss
                  curves, the throughput and the table. Or import a JSON file written by <code>npm run bench -- --json FILE</code>.
                </p>
              </section>`
        }
      </main>
      <footer>
        The configuration lives in this page's address: copy the link to share a run. Timings on a software (fallback) adapter are CPU emulation, not GPU
        performance.
      </footer>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-app': L2wdApp;
  }
}
