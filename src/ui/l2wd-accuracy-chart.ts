import { customElement } from 'lit/decorators.js';
import type { CurveMetric } from './l2wd-loss-chart';
import { L2wdLossChart } from './l2wd-loss-chart';

/**
 * Accuracy curves of a classification run (loss ce): the loss chart's layout and series (L2,
 * decay and the λ = 0 baseline; train solid, validation dashed) over the accuracies the rows
 * carry (docs/RULES.md, "Accuracy"). Renders nothing for a regression run.
 */
@customElement('l2wd-accuracy-chart')
export class L2wdAccuracyChart extends L2wdLossChart {
  protected override readonly metric: CurveMetric = 'accuracy';
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-accuracy-chart': L2wdAccuracyChart;
  }
}
