import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { RunProgress } from '../bench/runner';
import { fmtEta } from '../bench/format';
import type { RunPhase } from './run-controller';
import { panelStyles } from './shared-styles';

/** The stage a label names, without the step counter: what the live region announces. */
export function stageOf(label: string): string {
  return label.replace(/ · step \d+\/\d+$/, '');
}

/**
 * Start and cancel, the progress bar (work done, weighted by predicted cost), steps and time
 * left, and the run's last message. Focus goes to Cancel when a run starts and back to Start
 * when it ends, so a keyboard user is never left on a disabled button.
 */
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
      .sr-only {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
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
  @query('[data-testid="start"]') private startButton?: HTMLButtonElement;
  @query('[data-testid="cancel"]') private cancelButton?: HTMLButtonElement;

  private fire(name: 'run-request' | 'cancel-request'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  override updated(changed: PropertyValues<this>): void {
    const before = changed.get('phase') as RunPhase | undefined;
    if (before === undefined) return;
    if (before === 'idle' && this.phase === 'running') this.cancelButton?.focus();
    else if (before !== 'idle' && this.phase === 'idle') this.startButton?.focus();
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
          ${
            p
              ? html`<progress
                    max="1"
                    .value=${p.work.total > 0 ? Math.min(1, p.work.done / p.work.total) : 0}
                    aria-label="Run progress"
                    aria-valuetext=${`${Math.round((100 * p.work.done) / Math.max(p.work.total, 1e-12))}% of the predicted work`}
                  ></progress>
                  <div class="status" data-testid="progress-text">
                    ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} steps · ${p.label}
                    ${this.phase === 'running' ? html` · ${fmtEta(p.etaSeconds)} left` : nothing}
                  </div>
                  <div class="sr-only" role="status" data-testid="stage">${running ? stageOf(p.label) : 'Finished.'}</div>`
              : html`<div class="status">${running ? 'Preparing…' : 'Ready.'}</div>`
          }
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
  interface HTMLElementEventMap {
    /** Start pressed (or Enter in a form field): the app checks the draft and runs it. */
    'run-request': CustomEvent<void>;
    'cancel-request': CustomEvent<void>;
  }
}
