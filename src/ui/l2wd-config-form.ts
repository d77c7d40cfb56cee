import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { Backend } from '../model/config';
import { ACTIVATIONS, DATASETS, LOSSES, OPTIMIZERS } from '../model/config';
import { MNIST_CLASSES, MNIST_INPUTS } from '../model/mnist';
import { fmtNum } from '../bench/format';
import { DECAY_SCHEDULES, SCHEDULES } from '../model/schedule';
import { PRESETS } from './presets';
import type { DraftErrors, RunDraft, SweepSkip } from './run-draft';
import { configFormStyles } from './l2wd-config-form.styles';
import { panelStyles } from './shared-styles';

export interface DraftChangeDetail {
  draft: RunDraft;
  /** Set when the change came from a preset button. */
  preset?: string;
}

const OPTIMIZER_LABEL: Record<string, string> = { sgd: 'SGD', momentum: 'SGD + momentum', adam: 'Adam' };
const SCHEDULE_LABEL: Record<string, string> = { constant: 'constant', step: 'step (× γ every S steps)', cosine: 'cosine (to 0 over the run)' };
const DECAY_LABEL: Record<string, string> = { tracks: 'tracks the schedule: α_t = η_t·λ', fixed: 'fixed: α = η_0·λ' };
const BACKEND_TEXT: Record<Backend, string> = {
  gpu: 'GPU (WGSL)',
  cpu: 'CPU (fast, float32)',
  reference: 'Reference (float64, slow)',
};

/**
 * The run configuration: every field of MlpConfig plus backends, sweep and the λ = 0
 * baseline, with presets and inline validation messages. It owns no state: the app holds
 * the draft and its errors, and this element reports each edit as a `draft-change` event.
 */
@customElement('l2wd-config-form')
export class L2wdConfigForm extends LitElement {
  static override styles = [panelStyles, configFormStyles];

  /** The configuration as typed. */
  @property({ attribute: false }) draft!: RunDraft;
  /** Messages per field from validation (empty when the draft can run). */
  @property({ attribute: false }) errors: DraftErrors = {};
  /** While a run is going, fields are read-only (the run uses what was set when it started). */
  @property({ type: Boolean }) disabled = false;
  /** Id of the preset the draft came from, if unchanged since. */
  @property() preset = '';
  /** Swept widths a backend will skip, and why (the rest of the sweep runs). */
  @property({ attribute: false }) skips: SweepSkip[] = [];

  private emit(draft: RunDraft, preset?: string): void {
    this.dispatchEvent(new CustomEvent<DraftChangeDetail>('draft-change', { detail: { draft, preset }, bubbles: true, composed: true }));
  }

  private set<K extends keyof RunDraft>(key: K, value: RunDraft[K]): void {
    this.emit({ ...this.draft, [key]: value });
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    this.dispatchEvent(new CustomEvent('run-request', { bubbles: true, composed: true }));
  }

  /** Enter in a text field runs, like Start (a form of many fields and no submit button never submits by itself). */
  private onKeydown(e: KeyboardEvent): void {
    const target = e.composedPath()[0] as HTMLElement;
    if (e.key !== 'Enter' || e.isComposing || !(target instanceof HTMLInputElement) || target.type !== 'text') return;
    this.onSubmit(e);
  }

  /** A labelled text input with its error message tied to it for screen readers. */
  private text(key: keyof RunDraft & string, label: string, opts: { hint?: unknown; wide?: boolean; inputmode?: string } = {}) {
    const error = this.errors[key];
    const value = this.draft[key] as string;
    return html`<div class="field ${opts.wide ? 'wide' : ''}">
      <label for=${key}>${label}</label>
      <input
        type="text"
        id=${key}
        name=${key}
        autocomplete="off"
        spellcheck="false"
        inputmode=${opts.inputmode ?? 'decimal'}
        .value=${live(value)}
        ?disabled=${this.disabled}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="${key}-msg ${key}-hint"
        @input=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value as RunDraft[typeof key])}
      />
      ${opts.hint ? html`<span class="hint" id="${key}-hint">${opts.hint}</span>` : nothing}
      <span class="msg" id="${key}-msg" role=${error ? 'alert' : nothing} data-error-for=${key}>${error ?? ''}</span>
    </div>`;
  }

  /** MNIST fixes the input and output widths and the loss: switching to it sets them, the hidden widths stay. */
  private setDataset(dataset: string): void {
    if (dataset !== 'mnist') return this.set('dataset', dataset);
    const widths = this.draft.layers.split(',').map((s) => s.trim());
    const hidden = widths.length > 2 ? widths.slice(1, -1) : ['128'];
    this.emit({ ...this.draft, dataset, loss: 'ce', layers: [MNIST_INPUTS, ...hidden, MNIST_CLASSES].join(',') });
  }

  private select(
    key: 'optimizer' | 'activation' | 'loss' | 'schedule' | 'decaySchedule' | 'dataset',
    label: string,
    options: readonly string[],
    names: Record<string, string> = {},
  ) {
    const error = this.errors[key];
    return html`<div class="field">
      <label for=${key}>${label}</label>
      <select
        id=${key}
        name=${key}
        .value=${live(this.draft[key])}
        ?disabled=${this.disabled}
        aria-describedby="${key}-msg"
        @change=${(e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          if (key === 'dataset') this.setDataset(value);
          else this.set(key, value);
        }}
      >
        ${options.map((o) => html`<option value=${o} ?selected=${this.draft[key] === o}>${names[o] ?? o}</option>`)}
      </select>
      <span class="msg" id="${key}-msg" data-error-for=${key}>${error ?? ''}</span>
    </div>`;
  }

  private alphaNote() {
    const lr = Number(this.draft.lr);
    const lambda = Number(this.draft.lambda);
    if (!Number.isFinite(lr) || !Number.isFinite(lambda) || this.draft.lr.trim() === '' || this.draft.lambda.trim() === '')
      return html`α = η·λ appears here once η and λ are numbers.`;
    const alpha = lr * lambda;
    const scheduled =
      this.draft.schedule !== 'constant' ? (this.draft.decaySchedule === 'tracks' ? ' at step 1, then η_t·λ' : ' at every step') : ' per step';
    return html`α = η·λ = <strong data-testid="alpha">${fmtNum(alpha, 3)}</strong>${scheduled}. PyTorch
      <code class="nowrap">AdamW(weight_decay=α/η)</code> = <strong>${fmtNum(lambda, 3)}</strong>.`;
  }

  override render() {
    const d = this.draft;
    const preset = PRESETS.find((p) => p.id === this.preset);
    return html`<section class="card" aria-labelledby="form-h">
      <h2 id="form-h">Configuration</h2>
      <form @submit=${this.onSubmit} @keydown=${this.onKeydown} novalidate>
        <div>
          <div class="presets" role="group" aria-label="Presets">
            ${PRESETS.map(
              (p) =>
                html`<button
                  type="button"
                  data-preset=${p.id}
                  aria-pressed=${String(this.preset === p.id)}
                  ?disabled=${this.disabled}
                  title=${p.blurb}
                  @click=${() => this.emit(structuredClone(p.draft), p.id)}
                >
                  ${p.label}
                </button>`,
            )}
          </div>
          <p class="blurb" aria-live="polite">${preset?.blurb ?? ''}</p>
        </div>

        <fieldset>
          <legend>Network and data</legend>
          <div class="grid">
            ${this.select('dataset', 'Dataset', DATASETS, { teacher: 'teacher MLP (synthetic)', mnist: 'MNIST digits' })}
            ${d.dataset === 'mnist' ? html`${this.text('trainSize', 'Training rows', { inputmode: 'numeric' })} ${this.text('validationSize', 'Validation rows', { inputmode: 'numeric' })}` : nothing}
            ${d.dataset === 'mnist' || this.errors.labelNoise ? this.text('labelNoise', 'Label noise', { hint: 'Fraction of training labels made wrong, 0–0.9' }) : nothing}
            ${this.text('layers', 'Layer widths', { wide: true, inputmode: 'text', hint: d.dataset === 'mnist' ? 'MNIST: 784, hidden…, 10' : 'Input, hidden…, output, e.g. 16,32,8' })}
            ${this.select('activation', 'Activation', ACTIVATIONS)} ${this.select('loss', 'Loss', LOSSES, { mse: 'MSE', ce: 'cross-entropy' })}
            ${this.text('batch', 'Batch size B', { inputmode: 'numeric' })} ${this.text('steps', 'Steps', { inputmode: 'numeric' })}
            ${this.text('seed', 'Seed', { inputmode: 'numeric' })}
          </div>
        </fieldset>

        <fieldset>
          <legend>Optimizer and regularization</legend>
          <div class="grid">
            ${this.select('optimizer', 'Optimizer', OPTIMIZERS, OPTIMIZER_LABEL)} ${this.text('lr', 'Learning rate η')}
            ${this.text('lambda', 'L2 coefficient λ', { hint: html`<span class="alpha" aria-live="polite">${this.alphaNote()}</span>` })}
            ${d.optimizer === 'momentum' ? this.text('momentum', 'Momentum μ') : nothing}
            ${d.optimizer === 'adam' ? html`${this.text('beta1', 'β1')} ${this.text('beta2', 'β2')} ${this.text('eps', 'ε')}` : nothing}
            ${this.select('schedule', 'Learning-rate schedule', SCHEDULES, SCHEDULE_LABEL)}
            ${d.schedule === 'step' || this.errors.stepEvery || this.errors.stepGamma ? html`${this.text('stepEvery', 'Every S steps', { inputmode: 'numeric' })} ${this.text('stepGamma', 'Factor γ')}` : nothing}
            ${d.schedule !== 'constant' || this.errors.decaySchedule ? this.select('decaySchedule', 'Decay under the schedule', DECAY_SCHEDULES, DECAY_LABEL) : nothing}
          </div>
          <div class="checks" style="margin-top: 0.6rem">
            <label
              ><input
                type="checkbox"
                .checked=${live(d.regularizeBias)}
                ?disabled=${this.disabled}
                @change=${(e: Event) => this.set('regularizeBias', (e.target as HTMLInputElement).checked)}
              />Regularize biases too</label
            >
          </div>
        </fieldset>

        <fieldset>
          <legend>Backends and sweep</legend>
          <div class="checks" role="group" aria-label="Backends" aria-describedby="backends-msg">
            ${(['gpu', 'cpu', 'reference'] as const).map(
              (b) =>
                html`<label
                  ><input
                    type="checkbox"
                    name="backend"
                    value=${b}
                    .checked=${live(d.backends.includes(b))}
                    ?disabled=${this.disabled}
                    @change=${(e: Event) => {
                      const on = (e.target as HTMLInputElement).checked;
                      const next = (['gpu', 'cpu', 'reference'] as const).filter((x) => (x === b ? on : d.backends.includes(x)));
                      this.set('backends', next);
                    }}
                  />${BACKEND_TEXT[b]}</label
                >`,
            )}
          </div>
          <span class="msg" id="backends-msg" data-error-for="backends">${this.errors.backends ?? ''}</span>
          <div class="grid" style="margin-top: 0.4rem">
            ${this.text('sweep', 'Sweep hidden widths', {
              wide: true,
              inputmode: 'text',
              hint: 'Optional, e.g. 64,256,1024: each replaces every hidden width in turn (the stress test).',
            })}
          </div>
          ${
            this.skips.length
              ? html`<ul class="skips" data-testid="sweep-skips">
                  ${this.skips.map((k) => html`<li>Width ${k.width} is skipped on ${k.backend}: ${k.reason}</li>`)}
                </ul>`
              : nothing
          }
          <div class="checks">
            <label
              ><input
                type="checkbox"
                .checked=${live(d.baseline)}
                ?disabled=${this.disabled}
                @change=${(e: Event) => this.set('baseline', (e.target as HTMLInputElement).checked)}
              />λ = 0 baseline: one extra run for the loss chart (single runs only; a sweep never runs it)</label
            >
          </div>
        </fieldset>

        <details>
          <summary>Data settings</summary>
          <div class="grid" style="margin-top: 0.5rem">
            ${this.text('trainBatches', 'Distinct training batches', { inputmode: 'numeric' })} ${this.text('noise', 'Target noise σ')}
          </div>
        </details>
      </form>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-config-form': L2wdConfigForm;
  }
  interface HTMLElementEventMap {
    'draft-change': CustomEvent<DraftChangeDetail>;
  }
}
