import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { OptimizerName } from '../model/config';
import { updateRule } from '../model/update-rules';
import { panelStyles } from './shared-styles';

/**
 * The two update rules, the α = η·λ pairing and why momentum and Adam break it, in text
 * and MathML (no images: it scales, it reads aloud, it copies).
 */
@customElement('l2wd-explainer')
export class L2wdExplainer extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .rules {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr));
        gap: 0.8rem;
        margin: 0.6rem 0;
      }
      .rule {
        border-radius: 8px;
        padding: 0.6rem 0.9rem;
        background: var(--l2wd-surface-2);
        border-left: 4px solid var(--c);
      }
      .rule h3 {
        margin: 0 0 0.3rem;
        color: var(--ct);
      }
      math {
        font-size: 1.1em;
      }
      math[display='block'] {
        margin: 0.4rem 0;
      }
      details {
        margin-top: 0.5rem;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      table {
        border-collapse: collapse;
        font-size: 0.88rem;
        margin-top: 0.4rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.25rem 0.6rem;
        border-bottom: 1px solid var(--l2wd-border);
        vertical-align: top;
      }
      td {
        font-family: var(--l2wd-mono);
        font-size: 0.85em;
      }
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  /** The optimizer of the current configuration (its paragraph opens first). */
  @property() optimizer: OptimizerName = 'sgd';
  /** The configuration's learning-rate schedule and decay convention: the schedule paragraph says which one runs. */
  @property() schedule: string = 'constant';
  @property() decaySchedule: string = 'tracks';

  override render() {
    return html`<section class="card" aria-labelledby="explain-h" data-testid="explainer">
      <h2 id="explain-h">What is being compared</h2>
      <div class="rules">
        <div class="rule" style="--c: var(--l2wd-l2); --ct: var(--l2wd-l2-text)">
          <h3>L2 regularization (coupled)</h3>
          <p>
            Add
            <math
              ><mfrac><mi>λ</mi><mn>2</mn></mfrac
              ><msup
                ><mrow><mo>‖</mo><mi>W</mi><mo>‖</mo></mrow
                ><mn>2</mn></msup
              ></math
            >
            to the loss, so its gradient <math><mi>λ</mi><mi>w</mi></math> joins the loss gradient <math><mi>g</mi></math
            >:
          </p>
          <math display="block"
            ><mi>w</mi><mo>←</mo><mi>w</mi><mo>−</mo><mi>η</mi><mo stretchy="false">(</mo><mi>g</mi><mo>+</mo><mi>λ</mi><mi>w</mi
            ><mo stretchy="false">)</mo></math
          >
        </div>
        <div class="rule" style="--c: var(--l2wd-decay); --ct: var(--l2wd-decay-text)">
          <h3>Weight decay (decoupled)</h3>
          <p>Shrink the weights by a factor each step, apart from the gradient step:</p>
          <math display="block"
            ><mi>w</mi><mo>←</mo><mo stretchy="false">(</mo><mn>1</mn><mo>−</mo><mi>α</mi><mo stretchy="false">)</mo><mi>w</mi><mo>−</mo><mi>η</mi
            ><mi>g</mi></math
          >
        </div>
      </div>
      <p>
        <strong>The pairing.</strong> Expand the L2 rule:
        <math
          ><mi>w</mi><mo>−</mo><mi>η</mi><mi>g</mi><mo>−</mo><mi>η</mi><mi>λ</mi><mi>w</mi><mo>=</mo><mo stretchy="false">(</mo><mn>1</mn><mo>−</mo
          ><mi>η</mi><mi>λ</mi><mo stretchy="false">)</mo><mi>w</mi><mo>−</mo><mi>η</mi><mi>g</mi></math
        >. With <math><mi>α</mi><mo>=</mo><mi>η</mi><mo>·</mo><mi>λ</mi></math> that is the decay rule, term for term: under plain SGD the two give the
        same weights at every step, up to floating-point rounding (Loshchilov &amp; Hutter 2019, Proposition 1).
      </p>
      <p data-testid="schedule-note">
        <strong>Under a learning-rate schedule</strong> (step or cosine, η<sub>t</sub> changing with the step t) the pairing holds step by step only if the
        decay follows the rate,
        <math
          ><msub><mi>α</mi><mi>t</mi></msub
          ><mo>=</mo><msub><mi>η</mi><mi>t</mi></msub
          ><mo>·</mo><mi>λ</mi></math
        >
        ("decay tracks the schedule", the decoupled form of Loshchilov &amp; Hutter's Algorithm 1). A fixed
        <math
          ><mi>α</mi><mo>=</mo><msub><mi>η</mi><mn>0</mn></msub
          ><mo>·</mo><mi>λ</mi></math
        >
        decays by
        <math
          ><mo stretchy="false">(</mo><msub><mi>η</mi><mn>0</mn></msub
          ><mo>−</mo><msub><mi>η</mi><mi>t</mi></msub
          ><mo stretchy="false">)</mo><mi>λ</mi><mi>w</mi></math
        >
        more than L2 at every step, so even plain SGD parts.
        <span data-testid="schedule-running"
          >${
            this.schedule === 'constant'
              ? 'This configuration keeps η constant: both conventions are the same.'
              : `This configuration runs the ${this.schedule} schedule with ${this.decaySchedule === 'tracks' ? 'decay tracking it (α_t = η_t·λ)' : 'a fixed α = η_0·λ'}.`
          }</span
        >
      </p>
      <p>
        <strong>Why momentum breaks it.</strong> The L2 term enters the velocity,
        <math
          ><mi>v</mi><mo>←</mo><mi>μ</mi><mi>v</mi><mo>+</mo><mo stretchy="false">(</mo><mi>g</mi><mo>+</mo><mi>λ</mi><mi>w</mi
          ><mo stretchy="false">)</mo></math
        >, and keeps acting for many steps: in steady state it is amplified by about
        <math
          ><mfrac
            ><mn>1</mn><mrow><mn>1</mn><mo>−</mo><mi>μ</mi></mrow></mfrac
          ></math
        >
        (10× at μ = 0.9), while decay shrinks once per step.
      </p>
      <p>
        <strong>Why Adam breaks it.</strong> Adam divides every step by
        <math
          ><msqrt
            ><mover><mi>s</mi><mo>^</mo></mover></msqrt
          ><mo>+</mo><mi>ε</mi></math
        >, the running size of the gradient. The L2 term is divided too, so weights with large gradients are barely regularized and weights with small ones
        a lot; AdamW's decay <math><mo stretchy="false">(</mo><mn>1</mn><mo>−</mo><mi>α</mi><mo stretchy="false">)</mo><mi>w</mi></math> is applied outside
        the division, the same for every weight. No choice of λ makes Adam + L2 equal AdamW (Proposition 2).
      </p>
      <p class="muted">
        Conventions: λ here is PyTorch's <code>weight_decay</code> for <code>SGD</code> and <code>Adam</code> (coupled). PyTorch
        <code>AdamW(weight_decay=wd)</code> decays by η·wd per step, so its <code>wd</code> is <span class="nowrap">α/η</span> = λ here. In every decoupled
        rule the decay uses the weight from before the step; biases are not regularized unless the configuration says so.
      </p>
      <details ?open=${this.optimizer !== 'sgd'}>
        <summary>All six rules, as this app implements them</summary>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">optimizer</th>
                <th scope="col">L2 (coupled)</th>
                <th scope="col">decay (decoupled)</th>
              </tr>
            </thead>
            <tbody>
              ${(['sgd', 'momentum', 'adam'] as const).map(
                (o) =>
                  html`<tr>
                    <th scope="row">${o === 'sgd' ? 'SGD' : o === 'momentum' ? 'SGD + momentum μ' : 'Adam (β1, β2, ε)'}</th>
                    <td>${updateRule(o, 'l2').formula}</td>
                    <td>${updateRule(o, 'decay').formula}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p class="muted">m̂ = m / (1 − β1ᵗ), ŝ = s / (1 − β2ᵗ); v, m, s start at 0; t counts steps from 1.</p>
      </details>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-explainer': L2wdExplainer;
  }
}
