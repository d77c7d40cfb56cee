/** Styles every panel shares: the card, headings, buttons, inputs and a visible focus ring. */
import { css } from 'lit';

export const panelStyles = css`
  :host {
    display: block;
    color: var(--l2wd-text);
    font-family: var(--l2wd-font);
  }
  .card {
    background: var(--l2wd-surface);
    border: 1px solid var(--l2wd-border);
    border-radius: var(--l2wd-radius);
    box-shadow: var(--l2wd-shadow);
    padding: 1rem 1.25rem;
  }
  h2 {
    font-size: 1.05rem;
    margin: 0 0 0.75rem;
    letter-spacing: 0.01em;
  }
  h3 {
    font-size: 0.95rem;
    margin: 0.75rem 0 0.5rem;
  }
  p {
    margin: 0.4rem 0;
  }
  .muted {
    color: var(--l2wd-muted);
  }
  .mono,
  code {
    font-family: var(--l2wd-mono);
    font-size: 0.9em;
  }
  button {
    font: inherit;
    border-radius: 8px;
    border: 1px solid var(--l2wd-border);
    background: var(--l2wd-surface-2);
    color: var(--l2wd-text);
    padding: 0.45rem 0.9rem;
    cursor: pointer;
  }
  button.primary {
    background: var(--l2wd-accent);
    border-color: var(--l2wd-accent);
    color: var(--l2wd-accent-text);
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  button:hover:not(:disabled) {
    filter: brightness(1.07);
  }
  /* Keyboard focus must always be visible, on every scheme. */
  :focus-visible {
    outline: 3px solid var(--l2wd-focus);
    outline-offset: 2px;
  }
  .notice {
    border-radius: 8px;
    padding: 0.6rem 0.8rem;
    margin: 0.6rem 0;
    border: 1px solid var(--l2wd-warn-border);
    background: var(--l2wd-warn-bg);
    color: var(--l2wd-warn-text);
  }
  .error {
    border-radius: 8px;
    padding: 0.6rem 0.8rem;
    margin: 0.6rem 0;
    border: 1px solid var(--l2wd-error);
    background: var(--l2wd-error-bg);
    color: var(--l2wd-text);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** The layout every chart element shares: a plot beside its text summary, stacked when narrow. */
export const chartLayoutStyles = css`
  /* The log/linear switch (scale-toggle.ts) of the charts that have a log axis. */
  .scale {
    display: inline-flex;
    gap: 0.3rem;
    align-items: center;
    font-size: 0.85rem;
  }
  .pair {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(14rem, 18rem);
    gap: 1rem;
    align-items: start;
    margin-top: 0.5rem;
  }
  @media (max-width: 760px) {
    .pair {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .plot {
    /* The canvas has a fixed pixel width: it must never hold its column open when the page narrows. */
    overflow: hidden;
    min-width: 0;
    min-height: 200px;
  }
  aside {
    font-size: 0.9rem;
    background: var(--l2wd-surface-2);
    border-radius: 8px;
    padding: 0.6rem 0.8rem;
  }
  figure {
    margin: 0;
    /* A grid item's min-width is its content's by default: the legend would widen the page. */
    min-width: 0;
  }
  .u-legend {
    max-width: 100%;
    font-size: 0.8rem;
    color: var(--l2wd-text);
  }
`;
