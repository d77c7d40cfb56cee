/**
 * The grid trainer (src/gpu/grid-trainer.ts): G models in one dispatch, each against the float64
 * reference trained alone with that model's hyperparameters, at odd sizes (layers 7,13,5, batch 9,
 * G = 5); G = 1 against the single-model GPU trainer; a diverging model beside healthy ones; bad
 * points and grids over the limits refused before anything is allocated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/bench/datasets';
import { pointConfig as gridPointConfig } from '../../src/bench/sequential-grid-trainer';
import { readMnistFile } from '../../src/cli/mnist-file';
import { createReferenceTrainer, forward } from '../../src/cpu/reference';
import type { AcquiredDevice } from '../../src/gpu/device';
import { createGpuGridTrainer } from '../../src/gpu/grid-trainer';
import { createGpuTrainer } from '../../src/gpu/gpu-trainer';
import { maxGridModels } from '../../src/gpu/memory-plan';
import type { Activation, Loss, MlpConfig, OptimizerName, Variant } from '../../src/model/config';
import { OPTIMIZERS, VARIANTS, decayAlpha, validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import type { GridPoint } from '../../src/model/grid-trainer';
import { agreement } from '../../src/model/metrics';
import { openDevice, releaseGpu } from './fixture';

/** trainer.test.ts's bound for the single-model GPU trainer (measured ≤ 8.6e-7 there), unchanged. */
const PARITY_TOLERANCE = 2e-5;
const STEPS = 50;
/** The models checked against the reference: first, a middle one, last. */
const CHECKED = [0, 2, 4];

let gpu: AcquiredDevice;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(async () => {
  gpu?.device.destroy();
  await releaseGpu();
});

/** Five points per optimizer, each strength its own (zero among them), η spread over a decade. */
function pointsFor(optimizer: OptimizerName): GridPoint[] {
  const lrs = optimizer === 'adam' ? [1e-3, 3e-3, 5e-4, 2e-3, 1e-2] : [0.05, 0.02, 0.1, 0.03, 0.07];
  const lambdas = [0.01, 0, 0.05, 0.001, 0.02];
  const alphas = [1e-4, 0, 5e-4, 2e-3, 1e-5];
  return lrs.map((lr, g) => ({ lr, lambda: lambdas[g], alpha: alphas[g] }));
}

function gridConfig(optimizer: OptimizerName, activation: Activation, loss: Loss): MlpConfig {
  return validateConfig({ layers: [7, 13, 5], batch: 9, trainBatches: 3, optimizer, activation, loss, seed: 5, lr: 0.01, lambda: 0.01 });
}

/** The single-model configuration of one point (the grid run's own: for decay, the λ whose product with η is α). */
function pointConfig(config: MlpConfig, variant: Variant, p: GridPoint): MlpConfig {
  return validateConfig(gridPointConfig(config, variant, p));
}

/** Runs `body` inside validation and out-of-memory scopes on the shared device; fails on any error. */
async function scoped<T>(body: () => Promise<T>): Promise<T> {
  const { device } = gpu;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const result = await body();
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (validation) throw new Error(`WebGPU validation error: ${validation.message}`);
  if (oom) throw new Error(`WebGPU out-of-memory error: ${oom.message}`);
  return result;
}

const CASES = OPTIMIZERS.flatMap((optimizer) =>
  VARIANTS.flatMap((variant) =>
    (
      [
        ['tanh', 'mse'],
        ['relu', 'ce'],
      ] as const
    ).map(([activation, loss]) => ({ name: `${optimizer}/${variant}/${activation}/${loss}`, optimizer, variant, activation, loss })),
  ),
);

describe(`GPU grid of 5 models vs the float64 reference of each, ${STEPS} steps`, () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await scoped(async () => {
      const config = gridConfig(c.optimizer, c.activation, c.loss);
      const points = pointsFor(c.optimizer);
      const data = makeDataset(config);
      const grid = await createGpuGridTrainer(gpu.device, config, c.variant, data, points);
      try {
        await grid.train(STEPS);
        expect(grid.step).toBe(STEPS);
        const evaluations = await grid.evaluate();
        expect(evaluations).toHaveLength(points.length);
        for (const g of CHECKED) {
          const reference = createReferenceTrainer(pointConfig(config, c.variant, points[g]), c.variant, data);
          await reference.train(STEPS);
          const expected = await reference.getParameters();
          const actual = await grid.getParameters(g);
          const gaps = agreement(actual.weights, expected.weights);
          gaps.weightGap.forEach((gap, l) => expect(gap, `model ${g} layer ${l + 1} weight gap`).toBeLessThanOrEqual(PARITY_TOLERANCE));
          const losses = await reference.losses();
          expect(Math.abs(evaluations[g].train - losses.train) / losses.train, `model ${g} train loss`).toBeLessThan(1e-4);
          expect(Math.abs(evaluations[g].validation - losses.validation) / losses.validation, `model ${g} validation loss`).toBeLessThan(1e-4);
          reference.dispose();
        }
        // The models did differ: the comparison is not of five copies of one run.
        const [first, last] = [await grid.getParameters(0), await grid.getParameters(4)];
        expect(agreement(first.weights, last.weights).weightGap[0]).toBeGreaterThan(1e-3);
      } finally {
        grid.dispose();
      }
    });
  });
});

describe('under a schedule (70 steps: two submits), each model with η_t = η·m_t and α_t per the convention', () => {
  it.each([
    ['cosine', 'tracks', 'sgd', 'l2'],
    ['cosine', 'tracks', 'adam', 'decay'],
    ['step', 'fixed', 'momentum', 'decay'],
    ['step', 'tracks', 'adam', 'l2'],
  ] as const)('%s, decay %s, %s/%s: models 0, 2, 4 against the reference', async (schedule, decaySchedule, optimizer, variant) => {
    await scoped(async () => {
      const config = validateConfig({ ...gridConfig(optimizer, 'tanh', 'mse'), steps: 70, schedule, decaySchedule, stepEvery: 20, stepGamma: 0.5 });
      const points = pointsFor(optimizer);
      const data = makeDataset(config);
      const grid = await createGpuGridTrainer(gpu.device, config, variant, data, points);
      try {
        await grid.train(70);
        for (const g of CHECKED) {
          const reference = createReferenceTrainer(pointConfig(config, variant, points[g]), variant, data);
          await reference.train(70);
          const gaps = agreement((await grid.getParameters(g)).weights, (await reference.getParameters()).weights);
          gaps.weightGap.forEach((gap, l) => expect(gap, `model ${g} layer ${l + 1}`).toBeLessThanOrEqual(PARITY_TOLERANCE));
          reference.dispose();
        }
      } finally {
        grid.dispose();
      }
    });
  });

  it('the schedule moves the trajectory (a step schedule is not the constant one)', async () => {
    await scoped(async () => {
      const base = gridConfig('sgd', 'tanh', 'mse');
      const data = makeDataset(base);
      const finals: Float64Array[][] = [];
      for (const schedule of ['constant', 'step'] as const) {
        const grid = await createGpuGridTrainer(
          gpu.device,
          validateConfig({ ...base, schedule, stepEvery: 10, stepGamma: 0.1 }),
          'l2',
          data,
          pointsFor('sgd'),
        );
        await grid.train(40);
        finals.push((await grid.getParameters(4)).weights);
        grid.dispose();
      }
      expect(agreement(finals[0], finals[1]).weightGap[0]).toBeGreaterThan(1e-3);
    });
  });
});

describe('validation loss and accuracy per model, MNIST, 100 validation rows = 7 chunks of 13 + 9', () => {
  it.each(['l2', 'decay'] as const)('%s: models 0, 2, 4 against the reference, counts within its near ties', async (variant) => {
    await scoped(async () => {
      const config = validateConfig({
        dataset: 'mnist',
        layers: [784, 19, 10],
        loss: 'ce',
        activation: 'relu',
        batch: 13,
        trainSize: 39,
        validationSize: 100,
        lr: 0.1,
        seed: 5,
      });
      const points = pointsFor('sgd').map((p) => ({ ...p, lr: 2 * p.lr }));
      const data = buildDataset(config, readMnistFile());
      const grid = await createGpuGridTrainer(gpu.device, config, variant, data, points);
      try {
        await grid.train(20);
        const evaluations = await grid.evaluate();
        for (const g of CHECKED) {
          const reference = createReferenceTrainer(pointConfig(config, variant, points[g]), variant, data);
          await reference.train(20);
          const losses = await reference.losses();
          const e = evaluations[g];
          expect(Math.abs(e.train - losses.train) / losses.train, `model ${g} train loss`).toBeLessThan(1e-4);
          expect(Math.abs(e.validation - losses.validation) / losses.validation, `model ${g} validation loss`).toBeLessThan(1e-4);
          // Rows whose reference top two logits lie within 1e-4: float32 may order them either way.
          const z = forward(config.layers, config.activation, config.loss, await reference.getParameters(), data.validation.x, 100).z.at(-1)!;
          let nearTies = 0;
          for (let r = 0; r < 100; r++) {
            const row = Array.from(z.subarray(r * 10, r * 10 + 10)).sort((a, b) => b - a);
            if (row[0] - row[1] < 1e-4) nearTies++;
          }
          expect(
            Math.abs(e.validationAccuracy - losses.validationAccuracy) * 100,
            `model ${g} accuracy ${e.validationAccuracy} vs ${losses.validationAccuracy}`,
          ).toBeLessThanOrEqual(nearTies + 1e-9);
          expect(Math.abs(e.validationAccuracy * 100 - Math.round(e.validationAccuracy * 100))).toBeLessThan(1e-6);
          reference.dispose();
        }
        // Trained, and not all alike: some model classifies better than chance, and the models differ.
        expect(Math.max(...evaluations.map((e) => e.validationAccuracy))).toBeGreaterThan(0.2);
        expect(new Set(evaluations.map((e) => e.validation)).size).toBe(points.length);
      } finally {
        grid.dispose();
      }
    });
  });

  it('MSE has no accuracy: NaN for every model', async () => {
    await scoped(async () => {
      const config = gridConfig('sgd', 'tanh', 'mse');
      const grid = await createGpuGridTrainer(gpu.device, config, 'l2', makeDataset(config), pointsFor('sgd'));
      try {
        await grid.train(2);
        for (const e of await grid.evaluate()) expect(e.validationAccuracy).toBeNaN();
      } finally {
        grid.dispose();
      }
    });
  });
});

describe('a grid of one model', () => {
  it.each(['l2', 'decay'] as const)('equals the single-model GPU trainer bit for bit (momentum, %s, 70 steps: two submits)', async (variant) => {
    await scoped(async () => {
      const config = gridConfig('momentum', 'tanh', 'mse');
      const data = makeDataset(config);
      const grid = await createGpuGridTrainer(gpu.device, config, variant, data, [{ lr: config.lr, lambda: config.lambda, alpha: decayAlpha(config) }]);
      const single = await createGpuTrainer(gpu.device, config, variant, data);
      try {
        await grid.train(70);
        await single.train(70);
        const [p, q] = [await grid.getParameters(0), await single.getParameters()];
        p.weights.forEach((w, l) => expect(Array.from(w), `layer ${l + 1} weights`).toEqual(Array.from(q.weights[l])));
        p.biases.forEach((b, l) => expect(Array.from(b), `layer ${l + 1} biases`).toEqual(Array.from(q.biases[l])));
        const [[e], losses] = [await grid.evaluate(), await single.losses()];
        expect([e.train, e.validation, e.validationAccuracy]).toEqual([losses.train, losses.validation, losses.validationAccuracy]);
      } finally {
        grid.dispose();
        single.dispose();
      }
    });
  });
});

describe('a diverging model', () => {
  it('does not poison the others: η = 1e30 goes non-finite, its neighbours still match the reference', async () => {
    await scoped(async () => {
      const config = gridConfig('sgd', 'tanh', 'mse');
      const points = pointsFor('sgd');
      points[1] = { lr: 1e30, lambda: 0.01, alpha: 0.01 };
      const data = makeDataset(config);
      const grid = await createGpuGridTrainer(gpu.device, config, 'l2', data, points);
      try {
        await grid.train(20);
        const evaluations = await grid.evaluate();
        expect(Number.isFinite(evaluations[1].validation), `model 1 validation loss ${evaluations[1].validation}`).toBe(false);
        for (const g of [0, 2, 4]) {
          expect(Number.isFinite(evaluations[g].validation)).toBe(true);
          const reference = createReferenceTrainer(pointConfig(config, 'l2', points[g]), 'l2', data);
          await reference.train(20);
          const gaps = agreement((await grid.getParameters(g)).weights, (await reference.getParameters()).weights);
          for (const gap of gaps.weightGap) expect(gap, `model ${g}`).toBeLessThanOrEqual(PARITY_TOLERANCE);
          reference.dispose();
        }
      } finally {
        grid.dispose();
      }
    });
  });
});

describe('refused before anything is allocated', () => {
  const config = gridConfig('adam', 'tanh', 'mse');
  const data = makeDataset(config);
  const good: GridPoint = { lr: 0.01, lambda: 0.01, alpha: 1e-4 };

  /** Counts createBuffer calls on the device while `body` runs (the device itself is real). */
  async function buffersMadeBy(body: () => Promise<unknown>): Promise<number> {
    const device = gpu.device;
    const original = device.createBuffer;
    let made = 0;
    device.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
      made++;
      return original.call(this, descriptor);
    };
    try {
      await body();
    } finally {
      device.createBuffer = original;
    }
    return made;
  }

  it.each([
    ['η = 0', [good, { ...good, lr: 0 }], 'points[1].lr = 0: must be a finite number > 0'],
    ['η < 0', [{ ...good, lr: -1 }], 'points[0].lr = -1: must be a finite number > 0'],
    ['η = NaN', [{ ...good, lr: Number.NaN }], 'points[0].lr = NaN: must be a finite number > 0'],
    ['λ < 0', [good, good, { ...good, lambda: -0.5 }], 'points[2].lambda = -0.5: must be a finite number ≥ 0'],
    ['α = Infinity', [{ ...good, alpha: Number.POSITIVE_INFINITY }], 'points[0].alpha = Infinity: must be a finite number ≥ 0'],
    ['G = 0', [], 'a grid needs at least one point; got 0'],
  ] as const)('%s', async (_name, points, message) => {
    const made = await buffersMadeBy(() => expect(createGpuGridTrainer(gpu.device, config, 'l2', data, points)).rejects.toThrow(message));
    expect(made).toBe(0);
  });

  it('G over the memory budget, naming the buffer total and the most models that fit', async () => {
    const budget = 200_000;
    const most = maxGridModels(config, gpu.device.limits, budget);
    expect(most).toBeGreaterThan(1);
    const points = Array.from({ length: most + 1 }, () => good);
    const made = await buffersMadeBy(() =>
      expect(createGpuGridTrainer(gpu.device, config, 'l2', data, points, { memoryBudgetBytes: budget })).rejects.toThrow(
        new RegExp(
          `^This grid does not fit the GPU: the run needs .* of GPU memory in all; the memory budget is .*\\. At most ${most} models of this shape fit\\.$`,
        ),
      ),
    );
    expect(made).toBe(0);
    // And the most that fit do fit (which also shows that the count sees the buffers a grid makes).
    const madeForMost = await buffersMadeBy(async () => {
      const grid = await createGpuGridTrainer(gpu.device, config, 'l2', data, points.slice(1), { memoryBudgetBytes: budget });
      grid.dispose();
    });
    expect(madeForMost).toBeGreaterThan(10);
  });

  it("G over the device's buffer limits, naming the buffer and the limit", async () => {
    // layer 1 weights: 2048 × 2048 floats = 16 MiB a model; the device's binding limit decides how many fit.
    const wide = validateConfig({ ...config, layers: [2048, 2048, 2], batch: 2, trainBatches: 1 });
    const limits = gpu.device.limits;
    const most = maxGridModels(wide, limits);
    const perModel = 2048 * 2048 * 4;
    expect(most).toBe(Math.floor(Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) / perModel));
    const limit = limits.maxBufferSize <= limits.maxStorageBufferBindingSize ? 'maxBufferSize' : 'maxStorageBufferBindingSize';
    const points = Array.from({ length: most + 1 }, () => good);
    const made = await buffersMadeBy(() =>
      expect(createGpuGridTrainer(gpu.device, wide, 'l2', makeDataset(wide), points)).rejects.toThrow(
        new RegExp(
          `^This grid does not fit the GPU: layer 1 weights of ${most + 1} models need .*; ${limit} is .*\\. At most ${most} models of this shape fit\\.$`,
        ),
      ),
    );
    expect(made).toBe(0);
  });
});
