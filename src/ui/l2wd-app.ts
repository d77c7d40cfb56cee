import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { BenchResults } from '../bench/results';
import type { Backend } from '../model/config';
import { BACKENDS } from '../model/config';
import { widthsOf } from './chart-data';
import type { GpuProbe } from './gpu-probe';
import { probeGpu } from './gpu-probe';
import type { DraftChangeDetail } from './l2wd-config-form';
import type { RunPhase, RunProgress } from './l2wd-run-controls';
import { PRESETS } from './presets';
import { IMPORT_LIMITS, parseResultsJson, toCsv, toJson } from '../bench/export';
import type { DraftErrors, FitLimits, RunDraft } from './run-draft';
import { DEFAULT_DRAFT, checkDraft, draftFromConfig, draftFromQuery, draftToQuery } from './run-draft';
import { runSession } from './run-session';
import { panelStyles } from './shared-styles';
import './l2wd-adapter-panel';
import './l2wd-agreement-chart';
import './l2wd-config-form';
import './l2wd-explainer';
import './l2wd-loss-chart';
import './l2wd-results-table';
import './l2wd-run-controls';
import './l2wd-throughput-chart';

interface Message {
  kind: 'error' | 'info' | 'warn';
  text: string;
}

/**
 * The page: configuration (mirrored in the URL), run controls, the adapter, and the
 * results (agreement, loss, throughput, table), with export and import. It owns the run's
 * state; the elements below it are views that raise events.
 */
@customElement('l2wd-app')
export class L2wdApp extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
        max-width: 1320px;
        margin: 0 auto;
        padding: 1.25rem clamp(0.75rem, 3vw, 2rem) 3rem;
      }
      header h1 {
        font-size: clamp(1.35rem, 2.6vw, 1.9rem);
        margin: 0.2rem 0 0.3rem;
        letter-spacing: -0.01em;
      }
      header h1 .l2 {
        color: var(--l2wd-l2);
      }
      header h1 .wd {
        color: var(--l2wd-decay);
      }
      header p {
        margin: 0 0 1.1rem;
        color: var(--l2wd-muted);
        max-width: 75ch;
      }
      .top {
        display: grid;
        grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr);
        gap: 1rem;
        align-items: start;
      }
      .stack {
        display: grid;
        gap: 1rem;
        min-width: 0;
      }
      @media (max-width: 900px) {
        .top {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .results {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
        margin-top: 1rem;
      }
      .io {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6rem;
        align-items: center;
        margin-top: 0.7rem;
      }
      .io label.file {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        font-size: 0.9rem;
      }
      .io input[type='file'] {
        font: inherit;
        font-size: 0.85rem;
        max-width: 15rem;
      }
      .width-pick {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        font-size: 0.9rem;
      }
      .width-pick select {
        font: inherit;
        padding: 0.2rem 0.4rem;
        border-radius: 6px;
        border: 1px solid var(--l2wd-border);
        background: var(--l2wd-bg);
        color: var(--l2wd-text);
      }
      .source {
        font-size: 0.85rem;
        color: var(--l2wd-muted);
      }
      .empty {
        margin-top: 1rem;
        border-style: dashed;
        box-shadow: none;
      }
      .empty p {
        color: var(--l2wd-muted);
        max-width: 70ch;
      }
      footer {
        margin-top: 2rem;
        font-size: 0.85rem;
        color: var(--l2wd-muted);
      }
    `,
  ];

  @state() private probe?: GpuProbe;
  @state() private draft: RunDraft = draftFromQuery(location.search, DEFAULT_DRAFT);
  @state() private preset = '';
  @state() private phase: RunPhase = 'idle';
  @state() private progress?: RunProgress;
  @state() private results?: BenchResults;
  @state() private baseline?: BenchResults;
  @state() private message?: Message;
  @state() private notice?: string;
  /** Where the shown results came from: this page's run, or an imported file. */
  @state() private source: 'run' | 'import' | null = null;
  @state() private chartWidth: number | null = null;
  private abort?: AbortController;
  /** Completed runs (finished, cancelled or failed), reflected as data-runs for tests and tools. */
  private runs = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.preset = PRESETS.find((p) => draftToQuery(p.draft) === draftToQuery(this.draft))?.id ?? '';
    void this.refreshProbe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
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

  private check(): { errors: DraftErrors; ok: boolean } {
    const { errors, request } = checkDraft(this.draft, this.limits());
    return { errors, ok: Boolean(request) };
  }

  private onDraft(e: CustomEvent<DraftChangeDetail>): void {
    this.draft = e.detail.draft;
    this.preset = e.detail.preset ?? '';
    // replaceState, not pushState: each keystroke must not become a Back-button entry.
    history.replaceState(null, '', `${location.pathname}?${draftToQuery(this.draft)}${location.hash}`);
  }

  private async start(): Promise<void> {
    if (this.phase !== 'idle') return;
    const { request, errors } = checkDraft(this.draft, this.limits());
    if (!request) {
      this.message = { kind: 'error', text: `The configuration has errors: ${Object.values(errors).join('; ')}` };
      return;
    }
    this.abort = new AbortController();
    this.phase = 'running';
    this.message = undefined;
    this.notice = undefined;
    this.results = undefined;
    this.baseline = undefined;
    this.source = 'run';
    this.chartWidth = request.sweep ? request.sweep[0] : null;
    this.progress = { done: 0, total: request.config.steps, label: 'starting', etaSeconds: null };
    const started = performance.now();
    try {
      const outcome = await runSession(request, {
        signal: this.abort.signal,
        onProgress: (p) => (this.progress = p),
        onPartial: (r) => (this.results = r),
        onBaseline: (r) => (this.baseline = r),
        onNotice: (text) => (this.notice = text),
      });
      if (outcome.results) this.results = outcome.results;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (outcome.stopped?.reason === 'device-lost')
        this.message = {
          kind: 'error',
          text: `The GPU device was lost during the run (${outcome.stopped.message}); the run stopped and what was measured is kept. Start again: the next run acquires a new device.`,
        };
      else if (outcome.stopped?.reason === 'cancelled') this.message = { kind: 'info', text: `Cancelled after ${seconds} s; the results so far are kept.` };
      else if (!outcome.results) this.message = { kind: 'error', text: 'Nothing could run: no backend was available.' };
      else this.message = { kind: 'info', text: `Done in ${seconds} s.` };
    } catch (e) {
      console.warn('run failed', e);
      this.message = { kind: 'error', text: `The run failed: ${(e as Error).message}` };
    } finally {
      this.phase = 'idle';
      this.abort = undefined;
      this.runs++;
      // The adapter may have changed (a crashed GPU process comes back as a new one).
      void this.refreshProbe();
    }
  }

  private cancel(): void {
    if (this.phase !== 'running') return;
    this.phase = 'cancelling';
    this.abort?.abort();
  }

  private download(text: string, type: string, ext: string): void {
    const blob = new Blob([text], { type });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    const stamp = (this.results?.createdAt ?? new Date().toISOString()).replace(/[:.]/g, '-').slice(0, 19);
    a.href = url;
    a.download = `l2wd-results-${stamp}.${ext}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private async onImport(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      // Refused before reading: a 20 MB file would freeze the tab in the parser.
      if (file.size > IMPORT_LIMITS.fileChars) throw new Error(`the file is ${file.size} bytes; the limit is ${IMPORT_LIMITS.fileChars} (10 MiB)`);
      // Everything is checked and derived before any state changes: a refusal leaves the page as it was.
      const results = parseResultsJson(await file.text());
      const widths = widthsOf(results);
      // The form takes the imported configuration, so Start (or the link) reproduces it.
      const backends = BACKENDS.filter((b: Backend) => results.results.some((r) => r.backend === b));
      const sweep = widths.filter((w): w is number => w !== null).join(',');
      const draft = draftFromConfig(results.config, { backends, sweep, baseline: false });
      this.results = results;
      this.baseline = undefined;
      this.source = 'import';
      this.progress = undefined;
      this.chartWidth = widths[0] ?? null;
      this.draft = draft;
      this.preset = '';
      history.replaceState(null, '', `${location.pathname}?${draftToQuery(this.draft)}`);
      this.message = { kind: 'info', text: `Imported ${file.name}: ${results.results.length} result rows.` };
    } catch (err) {
      this.message = { kind: 'error', text: `Could not import ${file.name}: ${(err as Error).message}` };
    } finally {
      input.value = '';
    }
  }

  override updated(): void {
    // State on the host, so automation (and the e2e tests) can wait on it without reaching into the shadow root.
    this.dataset.phase = this.phase;
    this.dataset.runs = String(this.runs);
  }

  override render() {
    const { errors, ok } = this.check();
    const results = this.results;
    const widths = results ? widthsOf(results).filter((w): w is number => w !== null) : [];
    return html`<header>
        <h1><span class="l2">L2 regularization</span> vs <span class="wd">weight decay</span></h1>
        <p>
          Under plain SGD, L2 at λ and weight decay at α = η·λ are the same update; under momentum and Adam they drift apart.
          This page trains the same MLP both ways, with WGSL on the GPU and in TypeScript on the CPU, side by side, and measures
          where the GPU gets faster.
        </p>
      </header>
      <div class="top">
        <div class="stack">
          <l2wd-config-form
            .draft=${this.draft}
            .errors=${errors}
            .preset=${this.preset}
            ?disabled=${this.phase !== 'idle'}
            @draft-change=${this.onDraft}
            @run-request=${() => ok && this.start()}
          ></l2wd-config-form>
          <l2wd-run-controls
            .phase=${this.phase}
            .canStart=${ok}
            .blocked=${Object.values(errors).join('; ')}
            .progress=${this.progress}
            @run-request=${() => this.start()}
            @cancel-request=${() => this.cancel()}
          >
            ${this.notice ? html`<p class="notice" role="status" data-testid="run-notice">${this.notice}</p>` : nothing}
            ${this.message
              ? html`<p class=${this.message.kind === 'error' ? 'error' : 'muted'} role=${this.message.kind === 'error' ? 'alert' : 'status'} data-testid="run-message">
                  ${this.message.text}
                </p>`
              : nothing}
            <div class="io">
              <button type="button" data-testid="export-json" ?disabled=${!results} @click=${() => this.download(toJson(results!), 'application/json', 'json')}>
                Export JSON
              </button>
              <button type="button" data-testid="export-csv" ?disabled=${!results} @click=${() => this.download(toCsv(results!), 'text/csv', 'csv')}>
                Export CSV
              </button>
              <label class="file"
                >Import JSON
                <input type="file" data-testid="import" accept=".json,application/json" ?disabled=${this.phase !== 'idle'} @change=${this.onImport}
              /></label>
            </div>
          </l2wd-run-controls>
        </div>
        <div class="stack">
          <l2wd-adapter-panel .probe=${this.probe}></l2wd-adapter-panel>
          <l2wd-explainer .optimizer=${(this.draft.optimizer as 'sgd') ?? 'sgd'}></l2wd-explainer>
        </div>
      </div>
      ${results
        ? html`<div class="results" aria-live="off">
            ${this.source === 'import'
              ? html`<p class="source" data-testid="imported">
                  Showing imported results${results.createdAt ? ` from ${results.createdAt}` : ''}${results.adapter
                    ? ` (adapter: ${results.adapter.vendor} ${results.adapter.architecture}${results.adapter.isFallbackAdapter ? ', software fallback' : ''})`
                    : ''}.
                </p>`
              : nothing}
            ${widths.length > 1
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
              : nothing}
            <l2wd-agreement-chart .results=${results} .width=${this.chartWidth}></l2wd-agreement-chart>
            <l2wd-loss-chart .results=${results} .baseline=${this.baseline} .width=${this.chartWidth}></l2wd-loss-chart>
            <l2wd-throughput-chart .results=${results}></l2wd-throughput-chart>
            <l2wd-results-table .results=${results}></l2wd-results-table>
          </div>`
        : html`<section class="card empty" data-testid="empty">
            <h2>No results yet</h2>
            <p>
              Pick a preset and press <strong>Start run</strong>: the agreement charts fill step by step as both regularizers
              train, then the loss curves, the throughput and the table. Or import a JSON file written by
              <code>npm run bench -- --json FILE</code>.
            </p>
          </section>`}
      <footer>
        The configuration lives in this page's address: copy the link to share a run. Timings on a software (fallback) adapter
        are CPU emulation, not GPU performance.
      </footer>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-app': L2wdApp;
  }
}
