import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { pageCpuEngine } from '../bench/backends';
import type { GpuProbe } from './gpu-probe';
import { formatBytes } from '../model/units';
import { SHOWN_LIMITS } from './gpu-probe';
import { panelStyles } from './shared-styles';

const LIMIT_LABELS: Record<(typeof SHOWN_LIMITS)[number], string> = {
  maxBufferSize: 'Largest buffer',
  maxStorageBufferBindingSize: 'Largest storage binding',
  maxComputeWorkgroupStorageSize: 'Workgroup memory',
  maxComputeInvocationsPerWorkgroup: 'Invocations per workgroup',
};

/** Limits in bytes are shown in KiB/MiB/GiB; counts as plain numbers. */
const BYTE_LIMITS = new Set<string>(['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize']);

/**
 * Which browsers this page was tested in, and what the others can expect (issue 15): the e2e
 * tests drive Chromium (Dawn); the GPU tests run the same shaders on wgpu (Firefox's
 * implementation) through Deno; nothing here runs WebKit.
 */
const TESTED_IN = html`<p class="muted" data-testid="tested-browsers">
  Tested in Chromium (Dawn, by the end-to-end tests). Firefox uses wgpu, on which the same shaders pass their tests (through Deno), so it should run; it
  offers fewer optional features and limits (no subgroups, fewer storage buffers per shader), and the panel above shows yours. Safari (WebKit's WebGPU,
  Safari 26+) was not tested: results there are unchecked.
</p>`;

/** The WebGPU adapter this page found, its limits and features — or why there is none. */
@customElement('l2wd-adapter-panel')
export class L2wdAdapterPanel extends LitElement {
  static override styles = [
    panelStyles,
    css`
      dl {
        display: grid;
        grid-template-columns: minmax(6rem, max-content) minmax(0, 1fr);
        gap: 0.25rem 1rem;
        margin: 0;
      }
      dt {
        color: var(--l2wd-muted);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
        /* Long API names must wrap on a phone rather than widen the page. */
        overflow-wrap: anywhere;
      }
      dd .api {
        font-size: 0.75rem;
        margin-left: 0.3rem;
        /* Names break only between their words (camelCase <wbr>), never "maxBufferSiz e". */
        overflow-wrap: normal;
      }
      .badge {
        display: inline-block;
        font-size: 0.8rem;
        padding: 0.05rem 0.5rem;
        border-radius: 999px;
        border: 1px solid var(--l2wd-border);
        background: var(--l2wd-surface-2);
        margin-left: 0.4rem;
      }
      .badge.soft {
        border-color: var(--l2wd-warn-border);
        background: var(--l2wd-warn-bg);
        color: var(--l2wd-warn-text);
      }
      .badge.hw {
        border-color: var(--l2wd-ok);
        color: var(--l2wd-ok);
      }
      details summary {
        cursor: pointer;
        color: var(--l2wd-muted);
        margin-top: 0.6rem;
      }
      ul.features {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
        list-style: none;
        padding: 0;
        margin: 0.4rem 0 0;
      }
      ul.features li {
        overflow-wrap: anywhere;
        max-width: 100%;
        font-family: var(--l2wd-mono);
        font-size: 0.78rem;
        padding: 0.05rem 0.4rem;
        border-radius: 6px;
        background: var(--l2wd-surface-2);
      }
      ul.help {
        margin: 0.4rem 0 0;
        padding-left: 1.2rem;
      }
    `,
  ];

  /** The probe result; undefined while the page is still asking the browser. */
  @property({ attribute: false }) probe?: GpuProbe;

  override render() {
    const probe = this.probe;
    return html`<section class="card" aria-labelledby="adapter-h" data-testid="adapter-panel">
      <h2 id="adapter-h">WebGPU adapter</h2>
      ${
        !probe
          ? html`<p class="muted" role="status">Asking the browser for a WebGPU adapter…</p>`
          : probe.status === 'missing'
            ? this.renderMissing(probe)
            : this.renderAdapter(probe)
      }
      ${this.renderCpu()} ${TESTED_IN}
    </section>`;
  }

  /** The CPU backend the page will run, and its thread count (one without cross-origin isolation, said plainly). */
  private renderCpu() {
    const cpu = pageCpuEngine();
    return html`<p data-testid="cpu-engine"><strong>${cpu.label}</strong>${cpu.note ? html` <span class="muted">(${cpu.note})</span>` : nothing}</p>`;
  }

  private renderMissing(probe: Extract<GpuProbe, { status: 'missing' }>) {
    return html`<div class="error" role="alert" data-testid="no-webgpu"><strong>No WebGPU here.</strong> ${probe.reason}</div>
      <p>The CPU backends still run: the agreement charts work, the throughput charts show the CPU alone.</p>
      <p>To get WebGPU:</p>
      <ul class="help">
        ${probe.help.map((line) => html`<li>${line}</li>`)}
      </ul>`;
  }

  private renderAdapter(probe: Extract<GpuProbe, { status: 'ok' }>) {
    const a = probe.adapter;
    return html`${
        a.isFallbackAdapter
          ? html`<div class="notice" role="note" data-testid="fallback-notice">
              <strong>Software adapter.</strong> This is a fallback (CPU-emulated) WebGPU adapter: timings here are CPU emulation, not GPU performance.
              Agreement results are still exact.
            </div>`
          : nothing
      }
      <dl data-testid="adapter-info">
        <dt>Vendor</dt>
        <dd data-field="vendor">
          ${a.vendor || '—'}
          ${a.isFallbackAdapter ? html`<span class="badge soft">software fallback</span>` : html`<span class="badge hw">hardware</span>`}
        </dd>
        <dt>Architecture</dt>
        <dd data-field="architecture">${a.architecture || '—'}</dd>
        <dt>Description</dt>
        <dd data-field="description">${a.description || html`<span class="muted">(none given)</span>`}</dd>
        <dt>Implementation</dt>
        <dd data-field="implementation">
          ${
            a.implementation === 'browser'
              ? html`the browser's <span class="muted">(Dawn in Chrome and Edge, wgpu in Firefox, WebKit's in Safari)</span>`
              : a.implementation
          }
        </dd>
        ${SHOWN_LIMITS.map(
          (k) =>
            html`<dt title=${k}>${LIMIT_LABELS[k]}</dt>
              <dd data-field=${k}>
                ${BYTE_LIMITS.has(k) ? formatBytes(probe.limits[k]) : probe.limits[k].toLocaleString('en-US')}
                <span class="muted mono api">${camelBreaks(k)}</span>
              </dd>`,
        )}
      </dl>
      <details>
        <summary>${probe.features.length} features</summary>
        <ul class="features" data-testid="features">
          ${probe.features.map((f) => html`<li>${f}</li>`)}
        </ul>
      </details>`;
  }
}

/** "maxBufferSize" with a break opportunity before each inner capital: max·Buffer·Size. */
function camelBreaks(name: string) {
  return name.split(/(?=[A-Z])/).map((part, i) => (i === 0 ? part : html`<wbr />${part}`));
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-adapter-panel': L2wdAdapterPanel;
  }
}
