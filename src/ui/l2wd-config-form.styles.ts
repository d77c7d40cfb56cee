/** The configuration form's own styles (the panels' shared look is in shared-styles.ts). */
import { css } from 'lit';

export const configFormStyles = css`
  form {
    display: grid;
    gap: 0.9rem;
  }
  .presets {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem;
  }
  .presets button[aria-pressed='true'] {
    border-color: var(--l2wd-accent);
    box-shadow: inset 0 0 0 1px var(--l2wd-accent);
  }
  .blurb {
    font-size: 0.88rem;
    color: var(--l2wd-muted);
    margin: 0;
    min-height: 1.3em;
  }
  fieldset {
    border: 1px solid var(--l2wd-border);
    border-radius: 8px;
    padding: 0.6rem 0.8rem 0.8rem;
    margin: 0;
    min-width: 0;
  }
  legend {
    font-weight: 600;
    font-size: 0.9rem;
    padding: 0 0.3rem;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
    gap: 0.6rem 0.9rem;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
    min-width: 0;
  }
  .field.wide {
    grid-column: 1 / -1;
  }
  label {
    font-size: 0.85rem;
    font-weight: 500;
  }
  input[type='text'],
  select {
    font: inherit;
    font-family: var(--l2wd-mono);
    font-size: 0.9rem;
    padding: 0.35rem 0.5rem;
    border-radius: 6px;
    border: 1px solid var(--l2wd-border);
    background: var(--l2wd-bg);
    color: var(--l2wd-text);
    min-width: 0;
  }
  input[aria-invalid='true'] {
    border-color: var(--l2wd-error);
    box-shadow: inset 0 0 0 1px var(--l2wd-error);
  }
  .hint {
    font-size: 0.78rem;
    color: var(--l2wd-muted);
  }
  .msg {
    font-size: 0.8rem;
    color: var(--l2wd-error);
    font-weight: 500;
  }
  .skips {
    margin: 0.3rem 0 0.5rem;
    padding-left: 1.1rem;
    font-size: 0.8rem;
    color: var(--l2wd-warn-text);
  }
  .nowrap {
    white-space: nowrap;
  }
  .alpha {
    font-size: 0.8rem;
    color: var(--l2wd-muted);
  }
  .alpha strong {
    color: var(--l2wd-text);
    font-family: var(--l2wd-mono);
    font-weight: 600;
  }
  .checks {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem 1.2rem;
  }
  .checks label {
    display: inline-flex;
    gap: 0.35rem;
    align-items: center;
    font-weight: 400;
  }
  input[type='checkbox'] {
    width: 1rem;
    height: 1rem;
    accent-color: var(--l2wd-accent);
  }
  .actions {
    display: flex;
    gap: 0.6rem;
    align-items: center;
    flex-wrap: wrap;
  }
`;
