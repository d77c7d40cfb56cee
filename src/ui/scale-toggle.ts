/**
 * The log/linear switch of a chart with a log axis (issue 9 item 3): one checkbox and its label,
 * the same in every chart that has one (its style is in chartLayoutStyles, shared-styles.ts).
 */
import type { TemplateResult } from 'lit';
import { html } from 'lit';

/** A checkbox labelled `label`, `checked` while the axis is log; `set` receives each change. */
export function scaleToggle(testId: string, label: string, checked: boolean, set: (log: boolean) => void): TemplateResult {
  return html`<label class="scale"
    ><input type="checkbox" data-testid=${testId} .checked=${checked} @change=${(e: Event) => set((e.target as HTMLInputElement).checked)} />
    ${label}</label
  >`;
}
