/**
 * How the GPU trainer takes calls it should refuse or order (issue 10 items 1 and 2): overlapping
 * `train` calls are queued and each runs all its steps; a dataset made for another configuration
 * and a bad step count are refused with the values named.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createGpuTrainer } from '../../src/gpu/gpu-trainer';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { releaseGpu, withDevice } from './fixture';

afterAll(releaseGpu);

describe('GPU trainer calls', () => {
  it('two overlapping train(50) calls run 100 steps, the same weights as one train(100), each with its own timing', async () => {
    await withDevice(async ({ device, hasTimestamps }) => {
      const config = validateConfig({ layers: [8, 16, 4], optimizer: 'adam', lambda: 1e-2 });
      const data = makeDataset(config);
      const overlapped = await createGpuTrainer(device, config, 'l2', data);
      const sequential = await createGpuTrainer(device, config, 'l2', data);
      const firstCall = overlapped.train(50);
      // The second call comes while the first waits on its GPU work (its timing readback mapping).
      await new Promise((resolve) => setTimeout(resolve, 0));
      const [first, second] = await Promise.all([firstCall, overlapped.train(50)]);
      expect(overlapped.step).toBe(100);
      await sequential.train(100);
      expect(await overlapped.getParameters()).toEqual(await sequential.getParameters());
      if (hasTimestamps) {
        expect(first.deviceMs).toBeGreaterThan(0);
        expect(second.deviceMs).toBeGreaterThan(0);
      }
      overlapped.dispose();
      sequential.dispose();
    });
  });

  it('a submit WebGPU refuses rejects the train call, naming the steps (it does not resolve as if it ran)', async () => {
    await withDevice(async ({ device }) => {
      const config = validateConfig({ layers: [8, 16, 4] });
      const t = await createGpuTrainer(device, config, 'l2', makeDataset(config));
      await t.train(2);
      // A destroyed buffer makes every later submit that uses it a validation error.
      (t as unknown as { run: { layers: { weights: GPUBuffer }[] } }).run.layers[0].weights.destroy();
      await expect(t.train(3)).rejects.toThrow(/WebGPU rejected a training submit \(steps 3–5\)/);
      t.dispose();
    });
  });

  it('refuses a dataset made for other layers, or with too few training rows, naming both shapes', async () => {
    await withDevice(async ({ device }) => {
      const config = validateConfig({ layers: [8, 16, 4] });
      const other = makeDataset(validateConfig({ layers: [4, 16, 2] }));
      await expect(createGpuTrainer(device, config, 'l2', other)).rejects.toThrow(
        /data has 4 inputs and 2 outputs; the model \(layers 8,16,4\) wants 8 and 4/,
      );
      const few = makeDataset(validateConfig({ layers: [8, 16, 4], trainBatches: 1 }));
      await expect(createGpuTrainer(device, config, 'l2', few)).rejects.toThrow(/32 training rows; batch × trainBatches = 32 × 4 needs 128/);
    });
  });

  it('rejects train(0 | 1.5 | NaN | "3") naming the value', async () => {
    await withDevice(async ({ device }) => {
      const config = validateConfig({ layers: [8, 16, 4] });
      const t = await createGpuTrainer(device, config, 'l2', makeDataset(config));
      for (const [bad, shown] of [
        [0, '0'],
        [1.5, '1.5'],
        [Number.NaN, 'NaN'],
        ['3', '"3"'],
      ] as const)
        await expect(t.train(bad as number)).rejects.toThrow(`steps = ${shown}: must be an integer ≥ 1`);
      expect(t.step).toBe(0);
      t.dispose();
    });
  });
});
