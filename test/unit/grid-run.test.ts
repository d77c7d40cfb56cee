/**
 * The grid run on the CPU backends (docs/DESIGN.md, Grid): the sequential grid trainer against
 * single-model runs, planning and its refusals, the L2-vs-decay(α/η) comparison (the same map
 * under SGD, not under Adam, against the measured rounding floor), cancel and the time budget.
 */
import { describe, expect, test } from 'vitest';
import { gridTrainerFactories } from '../../src/bench/backends';
import { GridPlanError, planGrid, runGrid } from '../../src/bench/grid-run';
import type { GridOptions } from '../../src/bench/grid-run';
import { gridPairs } from '../../src/bench/grid-summary';
import { SequentialGridTrainer, pointConfig } from '../../src/bench/sequential-grid-trainer';
import { createReferenceTrainer } from '../../src/cpu/reference';
import type { MlpConfig } from '../../src/model/config';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { initialParameters } from '../../src/model/parameters';

const factories = gridTrainerFactories(null);

function options(config: Partial<MlpConfig>, extra: Partial<GridOptions> = {}): GridOptions {
  return {
    config: validateConfig({ layers: [5, 7, 3], batch: 8, steps: 30, ...config }),
    backends: ['reference'],
    lrs: [0.01, 0.1, 0.5],
    strengths: [1e-3, 1e-2, 1e-1],
    factories,
    gpu: null,
    maxSeconds: null,
    ...extra,
  };
}

describe('the sequential grid trainer', () => {
  test('each point trains exactly as a single reference trainer with its η and λ (or α), from the same weights', async () => {
    const config = validateConfig({ layers: [5, 7, 3], batch: 8, steps: 10, optimizer: 'adam' });
    const data = makeDataset(config);
    const init = initialParameters(config);
    const points = [
      { lr: 0.01, lambda: 1e-3, alpha: 1e-5 },
      { lr: 0.1, lambda: 0.02 / 0.1, alpha: 0.02 },
    ];
    for (const variant of ['l2', 'decay'] as const) {
      const grid = await SequentialGridTrainer.create(createReferenceTrainer, 'reference', config, variant, points, data);
      await grid.setParameters(init);
      await grid.train(4);
      await grid.train(6);
      expect(grid.step).toBe(10);
      const evals = await grid.evaluate();
      for (const [k, point] of points.entries()) {
        const single = createReferenceTrainer(pointConfig(config, variant, point), variant, data);
        await single.setParameters(init);
        await single.train(10);
        expect((await grid.getParameters(k)).weights).toEqual((await single.getParameters()).weights);
        const losses = await single.losses();
        expect(evals[k].train).toBe(losses.train);
        expect(evals[k].validation).toBe(losses.validation);
      }
      grid.dispose();
      await expect(grid.train(1)).rejects.toThrow(/disposed/);
    }
  });

  test('a decay point is given the λ whose product with η is its α', () => {
    const config = validateConfig({});
    expect(pointConfig(config, 'decay', { lr: 0.1, lambda: 0.003, alpha: 0.1 * 0.003 }).lambda).toBe(0.003);
    const c = pointConfig(config, 'decay', { lr: 0.3, lambda: 1, alpha: 0.07 });
    expect(Math.abs(c.lr * c.lambda - 0.07)).toBeLessThanOrEqual(0.07 * 2 ** -52);
  });
});

describe('planning a grid', () => {
  test('heatmaps per backend × optimizer: L2, then decay per convention, the α/η one followed by its twin', () => {
    const plan = planGrid(options({}, { optimizers: ['sgd', 'adam'] }));
    expect(plan.heatmaps.map((h) => `${h.optimizer} ${h.variant} ${h.axis}${h.twin ? ' twin' : ''}`)).toEqual([
      'sgd l2 lambda',
      'sgd decay alpha-over-lr',
      'sgd decay alpha-over-lr twin',
      'sgd decay alpha',
      'adam l2 lambda',
      'adam decay alpha-over-lr',
      'adam decay alpha-over-lr twin',
      'adam decay alpha',
    ]);
    const [l2, overLr, , alpha] = plan.heatmaps;
    expect(l2.points[5]).toEqual({ lr: 0.1, lambda: 0.1, alpha: 0.1 * 0.1 });
    expect(overLr.points[5]).toEqual(l2.points[5]);
    expect(alpha.points[5]).toEqual({ lr: 0.1, lambda: 0.1 / 0.1, alpha: 0.1 });
    expect(plan.modelSteps).toBe(8 * 9 * 30);
  });

  test('bad input is refused before anything runs, naming the value', () => {
    expect(() => planGrid(options({}, { lrs: [] }))).toThrow(/learning rates: give 1 to 64 values/);
    expect(() => planGrid(options({}, { lrs: [0.1, 0.01] }))).toThrow(/ascending and distinct \(0.1 then 0.01\)/);
    expect(() => planGrid(options({}, { strengths: [-1] }))).toThrow(/strengths\[0\] = -1: must be a finite number ≥ 0/);
    expect(() => planGrid(options({}, { lrs: [0.5, 2], strengths: [0.6] }))).toThrow(/2 × strength 0.6 = α 1.2 .*must be below 1/);
    expect(() => planGrid(options({}, { strengths: [1], conventions: ['alpha'] }))).toThrow(/as α \(convention alpha\)/);
    expect(() => planGrid(options({}, { conventions: ['beta' as never] }))).toThrow(GridPlanError);
    expect(() => planGrid(options({}, { backends: [] }))).toThrow(/no backend/);
    expect(() => planGrid(options({ steps: 100000 }, { maxSeconds: 10 }))).toThrow(/predicted to take .* over the time budget of 10 s/);
    expect(() => planGrid(options({}, { cpuMaxWidth: 6 }))).toThrow(
      /the reference backend cannot run this grid: widest layer 7 is over the CPU width limit of 6/,
    );
    // A sequential GPU grid keeps every model's trainer: each model gets its share of the memory budget.
    const gpu = {
      device: null as unknown as GPUDevice,
      adapter: { vendor: '', architecture: '', description: '', isFallbackAdapter: false, implementation: 'dawn' as const, backend: null },
      limits: { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 1 << 30 },
      hasTimestamps: false,
    };
    const onGpu = { backends: ['gpu' as const], gpu, factories: { gpu: factories.reference } };
    expect(() => planGrid(options({}, onGpu))).not.toThrow();
    expect(() => planGrid(options({}, { ...onGpu, gpuMemoryBudgetBytes: 9 * 1024 }))).toThrow(
      /the GPU cannot hold the grid's 9 models in its memory budget: /,
    );
    expect(() => planGrid(options({}, { ...onGpu, gpu: { ...gpu, limits: { maxBufferSize: 64, maxStorageBufferBindingSize: 64 } } }))).toThrow(
      /maxBufferSize is/,
    );
  });
});

describe('a grid run on the CPU', () => {
  for (const backend of ['reference', 'cpu'] as const)
    test(`${backend}: under SGD L2 and decay (α/η) agree cell by cell to the rounding floor; under Adam they do not`, async () => {
      const r = await runGrid(options({}, { backends: [backend], optimizers: ['sgd', 'adam'], workers: 1 }));
      const grid = r.grid!;
      expect(r.stopped).toBeNull();
      expect(grid.heatmaps).toHaveLength(6);
      for (const h of grid.heatmaps) {
        expect(h.skipped).toBeNull();
        expect(h.cells).toHaveLength(9);
        expect(h.steps).toBe(30);
        expect(h.modelStepsPerSec).toBeGreaterThan(0);
        for (const c of h.cells) expect(Number.isFinite(c.validationLoss)).toBe(true);
      }
      const [sgd, adam] = gridPairs(grid);
      expect(sgd).toMatchObject({ optimizer: 'sgd', compared: 9 });
      expect(['same', 'identical']).toContain(sgd.verdict);
      expect(adam).toMatchObject({ optimizer: 'adam', verdict: 'differ', compared: 9 });
      expect(adam.largestDifference!).toBeGreaterThan(1e-3);
      // The α convention is its own grid: same η rows, other decay factors.
      const alpha = grid.heatmaps.find((h) => h.optimizer === 'sgd' && h.axis === 'alpha')!;
      expect(alpha.cells[0].alpha).toBe(1e-3);
    });

  test('cancel stops after the chunk in flight: the heatmap in flight and the rest are skipped, nothing half shown', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const r = await runGrid(options({ steps: 40 }), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > 0 && ++chunks === 3) controller.abort();
      },
    });
    expect(r.stopped).toBe('cancelled');
    const [first, ...rest] = r.grid!.heatmaps;
    expect(first.cells).toEqual([]);
    expect(first.skipped).toMatch(/^cancelled: stopped after \d+ of 40 steps$/);
    for (const h of rest) expect(h.skipped).toBe('cancelled');
    expect(gridPairs(r.grid!)[0].verdict).toBe('unmeasured');
  });

  test('a copy of the results after every heatmap (what the CLI writes as it goes)', async () => {
    const partials: number[] = [];
    const r = await runGrid(options({ steps: 4 }), { onPartial: (p) => partials.push(p.grid!.heatmaps.length) });
    // Three heatmaps and the twin: the twin adds its floor to the α/η heatmap, not a heatmap of its own.
    expect(partials).toEqual([1, 2, 2, 3]);
    expect(r.grid!.heatmaps).toHaveLength(3);
  });

  test('a backend without a factory, or the GPU without a device, is skipped with the reason', async () => {
    const r = await runGrid(options({ steps: 4 }, { backends: ['gpu', 'reference'], factories: { reference: factories.reference } }));
    const gpu = r.grid!.heatmaps.filter((h) => h.backend === 'gpu');
    expect(gpu).toHaveLength(3);
    for (const h of gpu) expect(h.skipped).toBe('no WebGPU adapter');
    expect(r.grid!.heatmaps.filter((h) => h.backend === 'reference' && h.skipped === null)).toHaveLength(3);
  });
});

describe('the page estimate of a grid', () => {
  test('before a device exists the GPU is priced as the batched trainer it will get, not one model at a time', async () => {
    const { gridOptions, predictGridSeconds } = await import('../../src/ui/grid-session');
    const request = {
      config: validateConfig({ layers: [8, 16, 4], batch: 8, steps: 30 }),
      backend: 'gpu' as const,
      optimizers: ['sgd' as const],
      lrs: [0.01, 0.1, 0.3],
      strengths: [1e-3, 1e-2, 1e-1],
      conventions: ['alpha-over-lr' as const, 'alpha' as const],
    };
    const batched = predictGridSeconds(request);
    const sequential = planGrid({ ...gridOptions(request), factories: { gpu: factories.reference } }).predictedSeconds;
    expect(batched).toBeGreaterThan(0);
    // 4 heatmaps × 9 models: set-up once per heatmap instead of once per model.
    expect(batched).toBeLessThan(sequential / 5);
    expect(predictGridSeconds({ ...request, backend: 'reference' })).toBe(planGrid(gridOptions({ ...request, backend: 'reference' })).predictedSeconds);
  });
});
