/** Accuracy (docs/RULES.md, "Accuracy"): the counting rule, and the fast CPU's losses and accuracy against the reference. */
import { describe, expect, it } from 'vitest';
import { createFastCpuTrainer } from '../../src/cpu/fast';
import { createReferenceTrainer } from '../../src/cpu/reference';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { correctRows, hasAccuracy } from '../../src/model/accuracy';
import { accuracyCases, runAccuracy } from '../support/accuracy-cases';
import { expectLossesMatch } from '../support/expect-losses';

describe('correctRows', () => {
  const t = [0, 1, 0, /* */ 1, 0, 0, /* */ 0, 0, 1, /* */ 0, 1, 0];
  it('counts rows whose first largest logit is at the target; ties go to the first', () => {
    const z = [0.1, 0.9, 0.3, /* right */ 2, 2, 1, /* tie → 0: right */ 5, 5, 1, /* tie → 0: wrong */ 1, 0, 3 /* wrong */];
    expect(correctRows(z, 0, t, 0, 4, 3)).toBe(2);
    // Offsets: the same rows inside larger arrays.
    expect(correctRows([9, 9, ...z], 2, [7, ...t], 1, 4, 3)).toBe(2);
  });

  it('a row with any NaN logit is wrong, wherever the NaN is', () => {
    const z = [Number.NaN, 1, 0, /* */ 2, Number.NaN, 0, /* */ 0, 0, Number.NaN, /* */ 0, 1, 0];
    expect(correctRows(z, 0, t, 0, 4, 3)).toBe(1);
    expect(correctRows([Infinity, 0, 0], 0, [1, 0, 0], 0, 1, 3)).toBe(1);
  });

  it('only cross-entropy runs have an accuracy', () => {
    expect(hasAccuracy({ loss: 'ce' })).toBe(true);
    expect(hasAccuracy({ loss: 'mse' })).toBe(false);
  });
});

describe('fast CPU losses and accuracy vs the float64 reference, 6 steps', () => {
  it.each(accuracyCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const out = await runAccuracy((config, variant, data) => createFastCpuTrainer(config, variant, data, { workers: 2 }), c, 6);
    expectLossesMatch(out, c.config);
    c.check?.(out);
  });

  it('before any step: the train loss and accuracy are NaN, the validation ones measured (fast CPU and reference)', async () => {
    const config = validateConfig({ layers: [5, 17, 3], batch: 7, loss: 'ce' });
    const data = makeDataset(config);
    for (const t of [await createFastCpuTrainer(config, 'l2', data), createReferenceTrainer(config, 'l2', data)]) {
      const l = await t.losses();
      expect([l.train, l.trainAccuracy]).toEqual([Number.NaN, Number.NaN]);
      expect(l.validationAccuracy).toBeGreaterThanOrEqual(0);
      expect(l.validationAccuracy).toBeLessThanOrEqual(1);
      t.dispose();
    }
  });
});
