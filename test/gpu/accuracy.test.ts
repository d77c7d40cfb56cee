/**
 * The GPU's validation loss over sets larger than a batch (evaluated in chunks) and its accuracy
 * (counted on the GPU, shaders/loss.wgsl) against the float64 reference (test/support/accuracy-cases.ts).
 */
import { afterAll, describe, it } from 'vitest';
import { createGpuTrainer } from '../../src/gpu/gpu-trainer';
import { accuracyCases, runAccuracy } from '../support/accuracy-cases';
import { expectLossesMatch } from '../support/expect-losses';
import { releaseGpu, withDevice } from './fixture';

afterAll(releaseGpu);

describe('GPU losses and accuracy vs the float64 reference, 6 steps', () => {
  it.each(accuracyCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await withDevice(async ({ device }) => {
      const out = await runAccuracy((config, variant, data) => createGpuTrainer(device, config, variant, data), c, 6);
      expectLossesMatch(out, c.config);
      c.check?.(out);
    });
  });
});
