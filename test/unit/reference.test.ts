import { describe, expect, it } from 'vitest';
import { createReferenceTrainer, lossAndGradients } from '../../src/cpu/reference';
import type { MlpConfig } from '../../src/model/config';
import { ACTIVATIONS, LOSSES, validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { cloneParameters, initialParameters } from '../../src/model/parameters';
import { Rng } from '../../src/model/rng';

describe('reference backward pass vs central finite differences (float64)', () => {
  for (const activation of ACTIVATIONS)
    for (const loss of LOSSES) {
      it(`${activation}/${loss}: every weight and bias of every layer`, () => {
        const config = validateConfig({ layers: [4, 5, 3, 3], batch: 6, activation, loss, seed: 3 });
        const data = makeDataset(config);
        const p = initialParameters(config);
        // Non-zero biases so their gradients and relu kinks are exercised.
        const rng = new Rng(9);
        p.biases.forEach((b) => b.forEach((_, i) => (b[i] = rng.range(-0.3, 0.3))));
        const { x, t } = data.train;
        const rows = config.batch;
        const { grads } = lossAndGradients(config, p, x, t, rows);
        const h = 1e-6;
        const lossAt = (q: typeof p) => lossAndGradients(config, q, x, t, rows).loss;
        let checked = 0;
        for (const kind of ['weights', 'biases'] as const)
          for (let l = 0; l < p[kind].length; l++)
            for (let i = 0; i < p[kind][l].length; i++) {
              const plus = cloneParameters(p);
              const minus = cloneParameters(p);
              plus[kind][l][i] += h;
              minus[kind][l][i] -= h;
              const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
              const analytic = grads[kind][l][i];
              // Relative to the layer's gradient scale: central differences in f64 are
              // good to ~1e-10 absolute here, far inside 1e-6 relative.
              const scale = Math.max(1e-3, ...Array.from(grads[kind][l], Math.abs));
              expect(Math.abs(numeric - analytic) / scale, `${kind}[${l}][${i}]: numeric ${numeric}, analytic ${analytic}`).toBeLessThanOrEqual(1e-6);
              checked++;
            }
        expect(checked).toBe(4 * 5 + 5 + 5 * 3 + 3 + 3 * 3 + 3);
      });
    }

  it('cross-entropy is stable for huge logits (no NaN, matches the small-logit value shifted)', () => {
    const config = validateConfig({ layers: [2, 3], batch: 1, loss: 'ce' });
    const p = { weights: [new Float64Array([1000, 0, -1000, 0, 0, 0])], biases: [new Float64Array(3)] };
    const x = new Float64Array([1, 0]);
    const t = new Float64Array([0, 1, 0]);
    const { loss, grads } = lossAndGradients(config, p, x, t, 1);
    expect(loss).toBeCloseTo(1000, 9);
    expect(grads.weights[0].every(Number.isFinite)).toBe(true);
  });
});

describe('the six update rules against hand-worked values', () => {
  // One weight w = 2, the same loss gradient g = 0.5 at both steps, η = 0.1, λ = 0.01,
  // α = η·λ = 0.001, μ = 0.9, β1 = 0.9, β2 = 0.999, ε = 1e-8; the rules are stated per
  // parameter, so they are driven directly with that fixed g.
  const h = { lr: 0.1, lambda: 0.01, alpha: 0.001, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const g = new Float64Array([0.5]);
  const cases: [string, 'sgd' | 'momentum' | 'adam', 'l2' | 'decay', number[]][] = [
    // w1 = 2 − 0.1(0.5 + 0.02) = 1.948; w2 = 1.948 − 0.1(0.5 + 0.01948) = 1.896052
    ['SGD + L2', 'sgd', 'l2', [1.948, 1.896052]],
    // w1 = 0.999·2 − 0.05 = 1.948; w2 = 0.999·1.948 − 0.05 = 1.896052 (identical: α = ηλ)
    ['SGD + decay', 'sgd', 'decay', [1.948, 1.896052]],
    // v1 = 0.52, w1 = 2 − 0.052 = 1.948; v2 = 0.9·0.52 + 0.5 + 0.01948 = 0.98748, w2 = 1.948 − 0.098748 = 1.849252
    ['momentum + L2', 'momentum', 'l2', [1.948, 1.849252]],
    // v1 = 0.5, w1 = 1.998 − 0.05 = 1.948; v2 = 0.95, w2 = 0.999·1.948 − 0.095 = 1.851052
    ['momentum + decay', 'momentum', 'decay', [1.948, 1.851052]],
    // g' = 0.52: m̂1 = 0.52, ŝ1 = 0.2704, so w1 = 2 − 0.1·0.52/(0.52 + ε) ≈ 1.9 (step 2 below)
    ['Adam + L2', 'adam', 'l2', [2 - (0.1 * 0.52) / (0.52 + 1e-8), NaN]],
    // m̂1 = 0.5, ŝ1 = 0.25: w1 = 0.999·2 − 0.1·0.5/(0.5 + ε) ≈ 1.898 (step 2 below)
    ['AdamW', 'adam', 'decay', [1.998 - (0.1 * 0.5) / (0.5 + 1e-8), NaN]],
  ];
  for (const [name, optimizer, variant, expected] of cases) {
    it(name, async () => {
      const { applyUpdate, zeroState } = await import('../../src/model/update-rules');
      const w = new Float64Array([2]);
      const state = zeroState(optimizer, 1, (n) => new Float64Array(n));
      applyUpdate(optimizer, variant, w, g, state, h, 1, true);
      expect(w[0]).toBeCloseTo(expected[0], 14);
      applyUpdate(optimizer, variant, w, g, state, h, 2, true);
      const w1 = expected[0];
      let w2 = expected[1];
      if (optimizer === 'adam') {
        // Step 2 worked out from the rule's definitions with the numbers above.
        const g1 = variant === 'l2' ? 0.5 + 0.01 * 2 : 0.5;
        const g2 = variant === 'l2' ? 0.5 + 0.01 * w1 : 0.5;
        const m2 = 0.9 * (0.1 * g1) + 0.1 * g2;
        const s2 = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
        const mHat = m2 / (1 - 0.81);
        const sHat = s2 / (1 - 0.999 * 0.999);
        w2 = (variant === 'decay' ? 0.999 : 1) * w1 - (0.1 * mHat) / (Math.sqrt(sHat) + 1e-8);
      }
      expect(w[0]).toBeCloseTo(w2, 14);
    });
  }

  it('leaves unregularized parameters (biases by default) free of λ and α', async () => {
    const { applyUpdate } = await import('../../src/model/update-rules');
    for (const variant of ['l2', 'decay'] as const) {
      const b = new Float64Array([2]);
      applyUpdate('sgd', variant, b, g, {}, h, 1, false);
      expect(b[0]).toBe(2 - 0.1 * 0.5);
    }
  });
});

/** Trains L2 and decay from the same start; returns the worst per-layer weight gap. */
async function variantGap(config: MlpConfig, steps: number): Promise<number> {
  const data = makeDataset(config);
  const l2 = createReferenceTrainer(config, 'l2', data);
  const decay = createReferenceTrainer(config, 'decay', data);
  const start = initialParameters(config);
  await l2.setParameters(start);
  await decay.setParameters(start);
  await l2.train(steps);
  await decay.train(steps);
  const gaps = agreement((await l2.getParameters()).weights, (await decay.getParameters()).weights);
  return Math.max(...gaps.weightGap, ...gaps.normGap);
}

function randomConfig(rng: Rng, optimizer: 'sgd' | 'momentum' | 'adam'): MlpConfig {
  const depth = 1 + Math.floor(rng.uniform() * 3);
  const layers = Array.from({ length: depth + 1 }, () => 1 + Math.floor(rng.uniform() * 12));
  return validateConfig({
    layers,
    batch: 1 + Math.floor(rng.uniform() * 8),
    optimizer,
    lr: optimizer === 'adam' ? 10 ** rng.range(-3.5, -2) : 10 ** rng.range(-3, -1.3),
    lambda: 10 ** rng.range(-3, -1),
    activation: rng.uniform() < 0.5 ? 'tanh' : 'relu',
    loss: rng.uniform() < 0.5 ? 'mse' : 'ce',
    seed: Math.floor(rng.uniform() * 1e6),
    trainBatches: 1 + Math.floor(rng.uniform() * 3),
  });
}

describe("the seed's claim, as a property over random configurations (float64 reference)", () => {
  const rng = new Rng(2024);
  for (let k = 0; k < 8; k++) {
    const config = randomConfig(rng, 'sgd');
    it(`SGD: L2 at λ and decay at α = ηλ agree to ≤ 1e-12 over 200 steps (layers ${config.layers}, ${config.activation}/${config.loss})`, async () => {
      expect(await variantGap(config, 200)).toBeLessThanOrEqual(1e-12);
    });
  }
  for (const optimizer of ['momentum', 'adam'] as const)
    for (let k = 0; k < 4; k++) {
      const config = randomConfig(rng, optimizer);
      // A wiring mistake that made the two variants the same map would pass the SGD test; this one fails it.
      it(`${optimizer}: L2 and decay differ by more than 1e-6 after 50 steps (layers ${config.layers})`, async () => {
        expect(await variantGap(config, 50)).toBeGreaterThan(1e-6);
      });
    }
});

describe('ReferenceTrainer', () => {
  it('resets optimizer state and step count on setParameters, so a rerun repeats itself exactly', async () => {
    const config = validateConfig({ optimizer: 'adam', lr: 1e-3 });
    const trainer = createReferenceTrainer(config, 'decay', makeDataset(config));
    const start = initialParameters(config);
    await trainer.setParameters(start);
    await trainer.train(7);
    const first = await trainer.getParameters();
    await trainer.setParameters(start);
    expect(trainer.step).toBe(0);
    await trainer.train(7);
    expect(await trainer.getParameters()).toEqual(first);
  });

  it('lowers the training loss and reports finite validation loss', async () => {
    const config = validateConfig({ layers: [8, 16, 4], lr: 0.05 });
    const trainer = createReferenceTrainer(config, 'l2', makeDataset(config));
    await trainer.train(1);
    const before = (await trainer.losses()).train;
    await trainer.train(199);
    const after = await trainer.losses();
    expect(after.train).toBeLessThan(before);
    expect(Number.isFinite(after.validation)).toBe(true);
  });

  it('rejects parameters of the wrong shape, naming the layer', async () => {
    const config = validateConfig({ layers: [3, 4, 2] });
    const trainer = createReferenceTrainer(config, 'l2', makeDataset(config));
    const p = initialParameters({ layers: [3, 5, 2], seed: 1 });
    await expect(trainer.setParameters(p)).rejects.toThrow(/layer 1 weights have 15 values; expected 3×4 = 12/);
  });
});
