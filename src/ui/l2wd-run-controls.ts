import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { fmtEta } from './format';
import { panelStyles } from './shared-styles';

export type RunPhase = 'idle' | 'running' | 'cancelling';

export interface RunProgress {
  done: number;
  total: number;
  label: string;
  etaSeconds: number | null;
}

/** Start and cancel, the progress bar with steps done and time left, and the run's last message. */
@customElement('l2wd-run-controls')
export class L2wdRunControls extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6rem;
        align-items: center;
      }
      .progress {
        flex: 1 1 16rem;
        min-width: 12rem;
      }
      progress {
        width: 100%;
        height: 0.7rem;
        accent-color: var(--l2wd-accent);
      }
      .status {
        font-size: 0.85rem;
        color: var(--l2wd-muted);
        font-variant-numeric: tabular-nums;
      }
      .why {
        font-size: 0.85rem;
        color: var(--l2wd-error);
      }
    `,
  ];

  @property() phase: RunPhase = 'idle';
  /** False while the configuration has errors (then `blocked` says why). */
  @property({ type: Boolean }) canStart = true;
  @property() blocked = '';
  @property({ attribute: false }) progress?: RunProgress;

  private fire(name: 'run-request' | 'cancel-request'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override render() {
    const p = this.progress;
    const running = this.phase !== 'idle';
    return html`<div class="card" data-testid="run-controls" data-phase=${this.phase}>
      <div class="row">
        <button class="primary" type="button" data-testid="start" ?disabled=${running || !this.canStart} @click=${() => this.fire('run-request')}>
          ${running ? 'Running…' : 'Start run'}
        </button>
        <button type="button" data-testid="cancel" ?disabled=${this.phase !== 'running'} @click=${() => this.fire('cancel-request')}>
          ${this.phase === 'cancelling' ? 'Cancelling…' : 'Cancel'}
        </button>
        <div class="progress">
          ${p
            ? html`<progress
                  max=${Math.max(1, p.total)}
                  .value=${Math.min(p.done, p.total)}
                  aria-label="Run progress"
                  aria-valuetext=${`${p.done} of ${p.total}`}
                ></progress>
                <div class="status" role="status" data-testid="progress-text">
                  ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} steps · ${p.label}
                  ${running ? html` · ${fmtEta(p.etaSeconds)} left` : nothing}
                </div>`
            : html`<div class="status">${running ? 'Preparing…' : 'Ready.'}</div>`}
        </div>
      </div>
      ${!this.canStart && !running ? html`<p class="why" data-testid="blocked">Fix the configuration to run: ${this.blocked}</p>` : nothing}
      <slot></slot>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-run-controls': L2wdRunControls;
  }
}
