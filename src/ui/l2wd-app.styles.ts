/** The page layout's own styles (the panels' shared look is in shared-styles.ts). */
import { css } from 'lit';

export const appStyles = css`
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
    color: var(--l2wd-l2-text);
  }
  header h1 .wd {
    color: var(--l2wd-decay-text);
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
`;
