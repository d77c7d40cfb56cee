import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { GpuProbe } from './gpu-probe';
import { probeGpu } from './gpu-probe';
import './l2wd-adapter-panel';

/** The page: what the app shows, the adapter, and (later) the run and its results. */
@customElement('l2wd-app')
export class L2wdApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 1280px;
      margin: 0 auto;
      padding: 1.25rem clamp(0.75rem, 3vw, 2rem) 3rem;
    }
    header h1 {
      font-size: clamp(1.3rem, 2.6vw, 1.9rem);
      margin: 0.2rem 0 0.3rem;
    }
    header p {
      margin: 0 0 1rem;
      color: var(--l2wd-muted);
      max-width: 70ch;
    }
  `;

  @state() private probe?: GpuProbe;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refreshProbe();
  }

  private async refreshProbe(): Promise<void> {
    this.probe = await probeGpu();
  }

  override render() {
    return html`<header>
        <h1>L2 regularization vs weight decay</h1>
        <p>
          Under plain SGD, L2 at λ and weight decay at α = η·λ are the same update; under momentum and Adam they drift
          apart. This page trains the same MLP both ways, with WGSL on the GPU and in TypeScript on the CPU, side by side.
        </p>
      </header>
      <l2wd-adapter-panel .probe=${this.probe}></l2wd-adapter-panel>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-app': L2wdApp;
  }
}
