/** The assertions of test/support/accuracy-cases.ts, shared by the fast CPU (unit) and GPU tests. */
import { expect } from 'vitest';
import type { MlpConfig } from '../../src/model/config';
import type { AccuracyOutcome } from './accuracy-cases';

/**
 * Losses within 1e-4 relative (float32 against float64 after a few steps; measured gaps are
 * ~1e-6) and NaN exactly where the reference is NaN. Accuracy: NaN for mse; otherwise the same
 * count of rows, give or take the reference's near ties (top two logits within 1e-4), which
 * float32 rounding may order either way.
 */
export function expectLossesMatch(out: AccuracyOutcome, config: MlpConfig): void {
  const { candidate: c, reference: r } = out;
  for (const k of ['train', 'validation'] as const) {
    if (Number.isNaN(r[k])) expect(c[k], `${k} loss`).toBeNaN();
    else expect(Math.abs(c[k] - r[k]) / Math.abs(r[k]), `${k} loss ${c[k]} vs ${r[k]}`).toBeLessThan(1e-4);
  }
  if (config.loss !== 'ce') {
    expect(c.trainAccuracy).toBeNaN();
    expect(c.validationAccuracy).toBeNaN();
    expect(r.validationAccuracy).toBeNaN();
    return;
  }
  expect(Math.abs(c.trainAccuracy - r.trainAccuracy) * config.batch, `train accuracy ${c.trainAccuracy} vs ${r.trainAccuracy}`).toBeLessThanOrEqual(
    out.nearTies,
  );
  const rows = out.validationRows;
  expect(
    Math.abs(c.validationAccuracy - r.validationAccuracy) * rows,
    `validation accuracy ${c.validationAccuracy} vs ${r.validationAccuracy}`,
  ).toBeLessThanOrEqual(out.nearTies + 1e-9);
  // A count over these rows: a whole number of them.
  expect(Math.abs(c.validationAccuracy * rows - Math.round(c.validationAccuracy * rows))).toBeLessThan(1e-6);
}
