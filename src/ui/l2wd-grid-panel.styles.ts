/** The grid panel's own styles (src/ui/l2wd-grid-panel.ts); the shared ones are in shared-styles.ts. */
import { css } from 'lit';

export const gridPanelStyles = css`
  .fields {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem 1rem;
    align-items: end;
  }
  label {
    display: grid;
    gap: 0.2rem;
    font-size: 0.9rem;
  }
  input[type='text'],
  select {
    font: inherit;
    padding: 0.3rem 0.4rem;
    border: 1px solid var(--l2wd-border);
    border-radius: 6px;
    background: var(--l2wd-bg);
    color: var(--l2wd-text);
  }
  fieldset {
    border: 1px solid var(--l2wd-border);
    border-radius: 6px;
    margin: 0;
    padding: 0.3rem 0.6rem;
  }
  fieldset label {
    display: inline-flex;
    gap: 0.3rem;
    margin-right: 0.6rem;
  }
  .maps {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr));
    gap: 1rem;
    margin-top: 0.6rem;
  }
  .legend {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    font-size: 0.85rem;
  }
  .legend .bar {
    width: 10rem;
    height: 0.8rem;
    border-radius: 3px;
  }
  .error {
    color: var(--l2wd-error);
  }
  progress {
    width: 100%;
    accent-color: var(--l2wd-accent);
  }
`;
