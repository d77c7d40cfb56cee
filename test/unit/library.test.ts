import { expect, it } from 'vitest';
import * as engine from '../../src/index';

it('exports the library contract of docs/DESIGN.md, and it trains from code', async () => {
  for (const name of [
    'validateConfig',
    'makeDataset',
    'createReferenceTrainer',
    'createFastCpuTrainer',
    'createGpuTrainer',
    'createGpuGridTrainer',
    'maxGridModels',
    'runBenchmark',
    'parseResultsJson',
    'toJson',
    'toCsv',
  ] as const)
    expect(typeof engine[name], name).toBe('function');
  const config = engine.validateConfig({ layers: [4, 6, 2], steps: 5 });
  const data = engine.makeDataset(config);
  const a = engine.createReferenceTrainer(config, 'l2', data);
  const b = await engine.createFastCpuTrainer(config, 'l2', data, { workers: 1 });
  const start = engine.initialParameters(config);
  await a.setParameters(start);
  await b.setParameters(start);
  await a.train(5);
  await b.train(5);
  const gaps = engine.agreement((await b.getParameters()).weights, (await a.getParameters()).weights);
  expect(Math.max(...gaps.weightGap)).toBeLessThan(1e-5);
  expect(Math.max(...gaps.weightGap)).toBeGreaterThan(0); // f32 vs f64: not the same object twice
  a.dispose();
  b.dispose();
});
