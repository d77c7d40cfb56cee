import { describe, expect, it } from 'vitest';
import { validateConfig, parameterCount } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { matmulFlopsPerStep } from '../../src/model/flops';
import { agreement, normGap, weightGap } from '../../src/model/metrics';
import { glorotInit, initialParameters } from '../../src/model/parameters';
import { Rng } from '../../src/model/rng';
import { UPDATE_RULES } from '../../src/model/update-rules';

describe('synthetic data from the teacher MLP', () => {
  it('is deterministic per seed and sized trainBatches × batch plus one validation batch', () => {
    const config = validateConfig({ layers: [5, 7, 3], batch: 4, trainBatches: 3, seed: 5 });
    const a = makeDataset(config);
    const b = makeDataset(config);
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.rows).toBe(12);
    expect(a.validation.rows).toBe(4);
    expect(a.train.x.length).toBe(12 * 5);
    expect(a.train.t.length).toBe(12 * 3);
    expect(makeDataset({ ...config, seed: 6 }).train.x).not.toEqual(a.train.x);
  });

  it('gives one-hot targets for classification, using more than one class', () => {
    const config = validateConfig({ layers: [6, 4], batch: 64, loss: 'ce' });
    const { train } = makeDataset(config);
    const classes = new Set<number>();
    for (let r = 0; r < train.rows; r++) {
      const row = Array.from(train.t.subarray(r * 4, r * 4 + 4));
      expect(row.filter((v) => v === 1)).toHaveLength(1);
      expect(row.filter((v) => v === 0)).toHaveLength(3);
      classes.add(row.indexOf(1));
    }
    expect(classes.size).toBeGreaterThan(1);
  });

  it('adds Gaussian noise of the configured size to regression targets, same inputs and teacher', () => {
    const base = validateConfig({ layers: [3, 2], batch: 500, noise: 0 });
    const clean = makeDataset(base).train;
    const noisy = makeDataset({ ...base, noise: 0.5 }).train;
    // The noise draw is taken whatever its size, so inputs and teacher outputs line up.
    expect(noisy.x).toEqual(clean.x);
    let sq = 0;
    for (let i = 0; i < clean.t.length; i++) sq += (noisy.t[i] - clean.t[i]) ** 2;
    expect(Math.sqrt(sq / clean.t.length)).toBeCloseTo(0.5, 1);
  });
});

describe('Glorot-uniform init', () => {
  it('draws within ±√(6/(n_in+n_out)) with zero biases, the same for the same seed', () => {
    const p = glorotInit([30, 20, 10], new Rng(1));
    const limit = Math.sqrt(6 / 50);
    expect(Math.max(...p.weights[0].map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...p.weights[0].map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(p.biases.every((b) => b.every((v) => v === 0))).toBe(true);
    expect(initialParameters({ layers: [3, 2], seed: 4 })).toEqual(initialParameters({ layers: [3, 2], seed: 4 }));
  });
});

describe('FLOP count (docs/RULES.md)', () => {
  it('counts forward and dW for every layer and dA from layer 2 on', () => {
    // B = 2, layers 3 → 4 → 5: forward 2·2·(12 + 20) = 128, dW the same, dA 2·2·20 = 80.
    expect(matmulFlopsPerStep([3, 4, 5], 2)).toBe(128 + 128 + 80);
    expect(parameterCount([3, 4, 5])).toBe(12 + 4 + 20 + 5);
  });
});

describe('agreement metrics', () => {
  it('computes the norm gap and the weight gap of docs/RULES.md, and lets NaN through', () => {
    expect(normGap(1.1, 1)).toBeCloseTo(0.1, 12);
    expect(weightGap([1, 2, 4], [1, 2.5, 5])).toBeCloseTo(0.2, 12);
    expect(weightGap([NaN, 2], [1, 2])).toBeNaN();
    const g = agreement([new Float64Array([3, 4])], [new Float64Array([3, 4])]);
    expect(g).toEqual({ normGap: [0], weightGap: [0], zeroScaleLayers: [] });
  });
});

describe('the update rules as data', () => {
  it('has the six rules, each with its state and formula', () => {
    expect(UPDATE_RULES).toHaveLength(6);
    expect(UPDATE_RULES.find((r) => r.optimizer === 'adam' && r.variant === 'decay')?.state).toEqual(['m', 's']);
    expect(new Set(UPDATE_RULES.map((r) => r.formula)).size).toBe(6);
  });
});
