/**
 * The grid's memory plan (src/gpu/memory-plan.ts with `models`) and its point check
 * (src/model/grid-points.ts): what a grid of G models allocates, the largest G a device allows,
 * and the refusals that come before any allocation.
 */
import { describe, expect, it } from 'vitest';
import { checkGpuFit, gpuMemoryPlan, hostCopyBytes, maxGridModels, modelStrideFloats } from '../../src/gpu/memory-plan';
import { validateConfig } from '../../src/model/config';
import { checkGridPoints } from '../../src/model/grid-points';
import type { GridTrainerFactory } from '../../src/bench/grid-plan';
import { planGrid } from '../../src/bench/grid-run';
import type { GpuContext } from '../../src/bench/runner';
import { limitsRecord } from '../../src/bench/run-plan';

const MiB = 2 ** 20;
const LIMITS = { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB, maxComputeWorkgroupsPerDimension: 65535 };

describe('a grid memory plan', () => {
  const config = validateConfig({ layers: [784, 128, 10], batch: 64, optimizer: 'adam' });

  it("of one model holds the single plan's buffers at the same sizes, plus the models' (η, λ, α)", () => {
    const single = gpuMemoryPlan(config);
    const grid = gpuMemoryPlan(config, 1);
    for (const b of single.buffers) expect(grid.buffers.find((g) => g.id === b.id)?.bytes, b.id).toBe(b.bytes);
    expect(grid.buffers.map((b) => b.id).filter((id) => !single.buffers.some((b) => b.id === id))).toEqual(['models.hyperparameters']);
  });

  it('of 64 models: the data once, every model tensor 64 times at a 16-byte-aligned stride', () => {
    const grid = gpuMemoryPlan(config, 64);
    const single = gpuMemoryPlan(config);
    const byId = (id: string) => grid.buffers.find((b) => b.id === id)!;
    expect(byId('train.inputs').bytes).toBe(single.buffers.find((b) => b.id === 'train.inputs')!.bytes);
    expect(byId('train.inputs').modelStride).toBe(0);
    expect(byId('layer2.weights').modelStride).toBe(modelStrideFloats(1280));
    expect(byId('layer2.weights').bytes).toBe(64 * 1280 * 4);
    expect(byId('layer2.biases').modelStride).toBe(12); // 10 floats rounded up to whole vec4s
    expect(byId('layer1.weights.state2').bytes).toBe(64 * 784 * 128 * 4);
    expect(byId('loss.validation').bytes).toBe(64 * 2 * 4); // mean loss and count per model
    expect(byId('models.hyperparameters').bytes).toBe(64 * 16);
  });

  it('the largest G fits and G + 1 does not, within the limits and within a budget', () => {
    const most = maxGridModels(config, LIMITS);
    // layer 1's weights (and each Adam state): 784 × 128 × 4 bytes = 392 KiB a model, in 128 MiB bindings.
    expect(most).toBe(Math.floor((128 * MiB) / (784 * 128 * 4)));
    expect(checkGpuFit(config, LIMITS, Infinity, { models: most })).toBeNull();
    expect(checkGpuFit(config, LIMITS, Infinity, { models: most + 1 })).toBe(
      `layer 1 weights of ${most + 1} models need 128.2 MiB; maxStorageBufferBindingSize is 128 MiB`,
    );
    const budget = 100 * MiB;
    const inBudget = maxGridModels(config, LIMITS, budget);
    expect(gpuMemoryPlan(config, inBudget).totalBytes).toBeLessThanOrEqual(budget);
    expect(gpuMemoryPlan(config, inBudget + 1).totalBytes).toBeGreaterThan(budget);
  });

  it("counts a grid's upload copies on a software adapter, and refuses more models than a dispatch dimension holds", () => {
    expect(hostCopyBytes(config, 64) - hostCopyBytes(config)).toBe(63 * 8 * 101_770); // 63 more float32 copies, each also staged
    expect(checkGpuFit({ ...config, layers: [2, 2] }, { ...LIMITS, maxComputeWorkgroupsPerDimension: 100 }, Infinity, { models: 101 })).toBe(
      '101 models need 101 workgroups in one dispatch dimension; maxComputeWorkgroupsPerDimension is 100',
    );
    expect(maxGridModels({ ...config, layers: [2, 2] }, { ...LIMITS, maxComputeWorkgroupsPerDimension: 100 })).toBe(100);
  });

  it('a shape where not one model fits: 0', () => {
    expect(maxGridModels({ ...config, layers: [8192, 8192, 10] }, LIMITS)).toBe(0);
  });
});

describe('checkGridPoints', () => {
  it('accepts η > 0 with λ, α ≥ 0', () => {
    expect(() => checkGridPoints([{ lr: 1e-3, lambda: 0, alpha: 0 }])).not.toThrow();
  });

  it('names every bad value in one message', () => {
    expect(() =>
      checkGridPoints([
        { lr: 0, lambda: 0.1, alpha: 0 },
        { lr: 0.1, lambda: -1, alpha: Number.NaN },
      ]),
    ).toThrow(
      'points[0].lr = 0: must be a finite number > 0; points[1].lambda = -1: must be a finite number ≥ 0; points[1].alpha = NaN: must be a finite number ≥ 0',
    );
  });

  it('refuses an empty grid', () => {
    expect(() => checkGridPoints([])).toThrow('a grid needs at least one point; got 0');
  });
});

describe('planning a grid for the batched GPU trainer', () => {
  // A stand-in factory marked batched (planning never calls it) and the adapter's limits as a record.
  const batched: GridTrainerFactory = () => Promise.reject(new Error('not called in planning'));
  batched.batched = true;
  const gpu = { device: {}, adapter: { isFallbackAdapter: false }, limits: LIMITS, hasTimestamps: false } as unknown as GpuContext;
  const plan = (budget: number) =>
    planGrid({
      config: validateConfig({ layers: [784, 128, 10], batch: 64, steps: 1, optimizer: 'adam' }),
      backends: ['gpu'],
      lrs: [1e-3, 1e-2, 1e-1, 1],
      strengths: [1e-4, 1e-3, 1e-2, 1e-1],
      conventions: ['alpha-over-lr'],
      factories: { gpu: batched },
      gpu,
      gpuMemoryBudgetBytes: budget,
      maxSeconds: null,
    });

  it("checks all 16 models' buffers together against the whole budget, before anything runs", () => {
    const need = gpuMemoryPlan(validateConfig({ layers: [784, 128, 10], batch: 64, optimizer: 'adam' }), 16).totalBytes;
    expect(() => plan(need)).not.toThrow();
    expect(() => plan(need - 1)).toThrow(
      /^the GPU cannot hold the grid's 16 models in its memory budget: the run needs .* of GPU memory in all; the memory budget is /,
    );
  });
});

describe('limitsRecord', () => {
  it('copies the per-dimension workgroup limit from getters on a prototype (as GPUSupportedLimits holds them), so planning sees it', () => {
    class Limits {
      get maxBufferSize() {
        return 256 * MiB;
      }
      get maxStorageBufferBindingSize() {
        return 128 * MiB;
      }
      get maxComputeWorkgroupsPerDimension() {
        return 7;
      }
    }
    Object.defineProperty(Limits.prototype, 'maxComputeWorkgroupsPerDimension', { enumerable: false });
    expect(limitsRecord(new Limits() as never)).toMatchObject({ maxComputeWorkgroupsPerDimension: 7, maxBufferSize: 256 * MiB });
  });
});
