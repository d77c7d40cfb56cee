/**
 * Every trainer checks its input through the model's one rule (checkDataset, checkStepCount in
 * src/model/trainer.ts): a dataset made for another configuration, too few training rows and a
 * bad step count are refused with the values named (issue 10 item 2). The GPU trainer's side
 * is in test/gpu/trainer-calls.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FastCpuTrainer } from '../../src/cpu/fast';
import { ReferenceTrainer } from '../../src/cpu/reference';
import type { MlpConfig } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import type { Dataset } from '../../src/model/data';
import { makeDataset } from '../../src/model/data';
import type { Trainer } from '../../src/model/trainer';

const CPU_TRAINERS: [string, (c: MlpConfig, d: Dataset) => Promise<Trainer>][] = [
  ['reference', async (c, d) => new ReferenceTrainer(c, 'l2', d)],
  ['fast cpu', (c, d) => FastCpuTrainer.create(c, 'l2', d, { workers: 1 })],
];

describe.each(CPU_TRAINERS)('the %s trainer', (_name, create) => {
  const config = validateConfig({ layers: [8, 16, 4] });

  it('refuses a dataset made for other layers, naming both shapes', async () => {
    const other = makeDataset(validateConfig({ layers: [4, 16, 2] }));
    await expect(create(config, other)).rejects.toThrow(/data has 4 inputs and 2 outputs; the model \(layers 8,16,4\) wants 8 and 4/);
  });

  it('refuses too few training rows, naming the need', async () => {
    const few = makeDataset(validateConfig({ layers: [8, 16, 4], trainBatches: 1 }));
    await expect(create(config, few)).rejects.toThrow(/32 training rows; batch × trainBatches = 32 × 4 needs 128/);
  });

  it('refuses arrays that do not hold rows × width values', async () => {
    const data = makeDataset(config);
    const short = { ...data, validation: { ...data.validation, t: data.validation.t.subarray(1) } };
    await expect(create(config, short)).rejects.toThrow(/data\.validation holds/);
  });

  it('rejects train(0 | 1.5 | NaN | "3") naming the value, and trains nothing', async () => {
    const t = await create(config, makeDataset(config));
    try {
      for (const [bad, shown] of [
        [0, '0'],
        [1.5, '1.5'],
        [Number.NaN, 'NaN'],
        ['3', '"3"'],
        [-1, '-1'],
      ] as const)
        await expect(t.train(bad as number)).rejects.toThrow(`steps = ${shown}: must be an integer ≥ 1`);
      expect(t.step).toBe(0);
      await t.train(1);
      expect(t.step).toBe(1);
    } finally {
      t.dispose();
    }
  });
});
