/**
 * The whole GPU trainer against the float64 reference, from the same initial parameters:
 * all six rules × both activations × both losses, then the seed's claim on the GPU itself,
 * limits and device loss.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createGpuTrainer } from '../../src/gpu/gpu-trainer';
import { Kernels } from '../../src/gpu/kernels';
import type { MlpConfig } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { initialParameters } from '../../src/model/parameters';
import { parityCases, runParity } from '../support/parity';
import { gpuImplementation, openDevice, releaseGpu, withDevice } from './fixture';

afterAll(releaseGpu);

/**
 * After 50 steps the GPU (f32) and the reference (f64) weights differ by f32 rounding carried
 * through the trajectory: each step rounds every weight (~2⁻²⁴ ≈ 6e-8 relative) and the matmuls
 * add ~K·2⁻²⁴ to each gradient; measured gaps are at most 8.6e-7 across the 24 cases. 2e-5 leaves
 * a 10× margin and stays far below a real bug (a wrong rule or a missed term moves weights by
 * ≥ η·λ·‖W‖ ≈ 1e-3 relative here, or by whole gradient steps).
 */
const PARITY_TOLERANCE = 2e-5;

describe('GPU trainer vs the float64 reference after 50 steps', () => {
  it.each(parityCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await withDevice(async ({ device }) => {
      const out = await runParity((config, variant, data) => createGpuTrainer(device, config, variant, data), c, 50);
      out.weightGap.forEach((gap, l) => expect(gap, `layer ${l + 1} weight gap`).toBeLessThanOrEqual(PARITY_TOLERANCE));
      expect(Math.abs(out.candidateLoss - out.referenceLoss) / out.referenceLoss).toBeLessThan(1e-4);
    });
  });

  it.each(['tiled', 'naive'] as const)('the %s matmul trains the same as the reference (Adam, 70 steps: two submits)', async (matmul) => {
    await withDevice(async ({ device }) => {
      const c = parityCases({ layers: [9, 33, 17, 4], batch: 13 }).find((p) => p.name === 'adam/decay/tanh/ce')!;
      const out = await runParity((config, variant, data) => createGpuTrainer(device, config, variant, data, { matmul }), c, 70);
      out.weightGap.forEach((gap, l) => expect(gap, `layer ${l + 1}`).toBeLessThanOrEqual(PARITY_TOLERANCE));
    });
  });
});

describe('the subgroup-shared matmul (shaders/matmul-subgroup.wgsl)', () => {
  it('auto takes it where subgroups are 4 wide, and it trains bitwise as the blocked kernel (Adam, odd sizes, 70 steps)', async () => {
    await withDevice(async ({ device, adapter }) => {
      const kernels = Kernels.of(device);
      // SwiftShader through Dawn offers 4-wide subgroups: there the kernel must be in use, not quietly absent.
      if (adapter.isFallbackAdapter && gpuImplementation().startsWith('dawn')) expect(kernels.hasSubgroup4).toBe(true);
      // 70 and 132 columns take 4 × 8 blocks; 67 rows leave a part-filled subgroup in the last row
      // tile; layer 2's dA has 4 | K (132: the transposed B loaded as stored rows), layer 3's not (5).
      const config = validateConfig({
        layers: [9, 70, 132, 5],
        batch: 67,
        optimizer: 'adam',
        lr: 1e-3,
        lambda: 0.01,
        activation: 'relu',
        loss: 'ce',
        seed: 5,
      });
      const data = makeDataset(config);
      const start = initialParameters(config);
      const trained = [];
      for (const matmul of ['auto', 'blocked'] as const) {
        const t = await createGpuTrainer(device, config, 'decay', data, { matmul });
        await t.setParameters(start);
        await t.train(70);
        trained.push(await t.getParameters());
        t.dispose();
      }
      const [auto, blocked] = trained;
      auto.weights.forEach((w, l) => expect(Array.from(w), `layer ${l + 1} weights`).toEqual(Array.from(blocked.weights[l])));
      auto.biases.forEach((b, l) => expect(Array.from(b), `layer ${l + 1} biases`).toEqual(Array.from(blocked.biases[l])));
    });
  });
});

/** Trains L2 and decay on the GPU from the same initial parameters; returns [l2, decay] weights. */
async function trainBothVariants(device: GPUDevice, config: MlpConfig, steps: number): Promise<Float64Array[][]> {
  const data = makeDataset(config);
  const start = initialParameters(config);
  const weights: Float64Array[][] = [];
  for (const variant of ['l2', 'decay'] as const) {
    const t = await createGpuTrainer(device, config, variant, data);
    await t.setParameters(start);
    await t.train(steps);
    weights.push((await t.getParameters()).weights);
    t.dispose();
  }
  return weights;
}

describe("the seed's claim on the GPU", () => {
  it('under SGD, L2 at λ and decay at α = ηλ agree to ≤ 1e-5 relative after 200 steps, every layer', async () => {
    await withDevice(async ({ device }) => {
      const config = validateConfig({ layers: [20, 64, 64, 10], batch: 32, lr: 0.05, lambda: 0.01, steps: 200, loss: 'ce' });
      const start = initialParameters(config);
      const weights = await trainBothVariants(device, config, 200);
      const gaps = agreement(weights[0], weights[1]);
      for (const g of [...gaps.weightGap, ...gaps.normGap]) expect(g).toBeLessThanOrEqual(1e-5);
      // And the weights did move: the comparison is not of two untouched copies.
      expect(agreement(weights[0], start.weights).weightGap[0]).toBeGreaterThan(1e-3);
    });
  });

  it('under Adam they part by far more than f32 rounding', async () => {
    await withDevice(async ({ device }) => {
      const config = validateConfig({ layers: [20, 64, 10], batch: 32, lr: 1e-3, lambda: 0.1, optimizer: 'adam' });
      const weights = await trainBothVariants(device, config, 100);
      expect(Math.max(...agreement(weights[0], weights[1]).weightGap)).toBeGreaterThan(1e-3);
    });
  });
});

describe('trainer behaviour', () => {
  it('reports norms, losses and device time; setParameters resets the step count and state', async () => {
    await withDevice(async ({ device, hasTimestamps }) => {
      const config = validateConfig({ layers: [8, 16, 4], optimizer: 'momentum' });
      const t = await createGpuTrainer(device, config, 'l2', makeDataset(config));
      expect(Number.isNaN((await t.losses()).train)).toBe(true);
      const timing = await t.train(10);
      if (hasTimestamps) expect(timing.deviceMs).toBeGreaterThan(0);
      expect(t.step).toBe(10);
      const norms = await t.norms();
      const p = await t.getParameters();
      const { frobeniusNorm } = await import('../../src/model/metrics');
      norms.forEach((n, l) => expect(Math.abs(n - frobeniusNorm(p.weights[l])) / n).toBeLessThan(1e-5));
      const first = p;
      await t.setParameters(initialParameters(config));
      expect(t.step).toBe(0);
      await t.train(10);
      expect(await t.getParameters()).toEqual(first);
      t.dispose();
      await expect(t.norms()).rejects.toThrow(/disposed/);
    });
  });
});

describe('reading parameters back', () => {
  it('a weight matrix larger than the 64 MiB staging buffer comes back whole, in chunks', async () => {
    await withDevice(async ({ device }) => {
      // 4100 × 4100 float32 weights are 64.1 MiB: one more chunk than the staging buffer holds.
      const config = validateConfig({ layers: [4100, 4100], batch: 1, trainBatches: 1 });
      const t = await createGpuTrainer(device, config, 'l2', makeDataset(config));
      const p = initialParameters(config);
      await t.setParameters(p);
      const back = await t.getParameters();
      const w = p.weights[0];
      const got = back.weights[0];
      expect(got.length).toBe(w.length);
      // Exactly the float32 rounding of what was written, at both ends and across the chunk edge.
      const chunkEdge = (64 * 2 ** 20) / 4;
      for (const i of [0, chunkEdge - 1, chunkEdge, chunkEdge + 1, w.length - 1]) expect(got[i], `index ${i}`).toBe(Math.fround(w[i]));
      let mismatches = 0;
      for (let i = 0; i < w.length; i++) if (got[i] !== Math.fround(w[i])) mismatches++;
      expect(mismatches).toBe(0);
      t.dispose();
    });
  });
});

describe('limits and faults', () => {
  it('rejects a run over the device limits before allocating, naming the limit, the need and the allowance', async () => {
    await withDevice(
      async ({ device }) => {
        // WebGPU raises requested limits below its defaults to the defaults (256 MiB buffers,
        // 128 MiB bindings): the smallest device a test can ask for. 8192² weights need 256 MiB.
        expect(device.limits.maxStorageBufferBindingSize).toBe(128 * 2 ** 20);
        const config = validateConfig({ layers: [8192, 8192], batch: 1, trainBatches: 1 });
        const data = {
          inputs: 8192,
          outputs: 8192,
          train: { rows: 0, x: new Float64Array(), t: new Float64Array() },
          validation: { rows: 0, x: new Float64Array(), t: new Float64Array() },
        };
        await expect(createGpuTrainer(device, config, 'l2', data)).rejects.toThrow(
          'This run does not fit the GPU: layer 1 weights need 256 MiB; maxStorageBufferBindingSize is 128 MiB.',
        );
      },
      { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 },
    );
  });

  it('a destroyed device makes every call reject cleanly (no hang), and a new device trains', async () => {
    const config = validateConfig({ layers: [8, 16, 4] });
    const data = makeDataset(config);
    const first = await openDevice();
    const t = await createGpuTrainer(first.device, config, 'decay', data);
    await t.train(2);
    first.device.destroy();
    await first.device.lost;
    await expect(t.train(5)).rejects.toThrow(/GPU device was lost \(destroyed/);
    await expect(t.norms()).rejects.toThrow(/acquire a new device/i);
    await expect(t.getParameters()).rejects.toThrow(/lost/);
    t.dispose();
    await withDevice(async ({ device }) => {
      const fresh = await createGpuTrainer(device, config, 'decay', data);
      await fresh.train(5);
      expect((await fresh.losses()).train).toBeGreaterThan(0);
      fresh.dispose();
    });
  });
});
