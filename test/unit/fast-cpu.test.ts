/**
 * The fast CPU trainer (float32, blocked, workers) against the float64 reference, on the
 * shared parity suite, plus its matmul kernel at awkward sizes and its worker/single-thread
 * determinism.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastCpuTrainer } from '../../src/cpu/fast';
import { createFastCpuTrainer } from '../../src/cpu/fast';
import { matmulRows } from '../../src/cpu/fast-kernels';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { initialParameters } from '../../src/model/parameters';
import { Rng } from '../../src/model/rng';
import { expectClose } from '../support/expect-close';
import { parityCases, runParity } from '../support/parity';

describe('fast CPU vs float64 reference: the parity suite, 50 steps', () => {
  // Tolerance. Both start from the same f64 weights; the fast trainer rounds every stored
  // value (weights, activations, gradients, optimizer state, data) to f32, relative error
  // u = 2⁻²⁴ ≈ 6e-8 each time, while its products sum in f64 before one rounding. Each step
  // adds a few u of relative error per weight, mostly cancelling, so the gap grows slowly:
  // observed after 50 steps, 1.7e-7 … 4.1e-7 (SGD, momentum) and 2.7e-7 … 6.6e-7 (Adam, whose
  // m̂/√ŝ amplifies rounding while ŝ is small). 1e-5 leaves 15× margin over the worst, and
  // sits far below what a real fault does: a wrong rule, derivative or missed bias moves the
  // weights by ≥ 1e-3 relative within 50 steps at these learning rates.
  const TOLERANCE = 1e-5;
  for (const c of parityCases()) {
    it(c.name, async () => {
      const out = await runParity((config, variant, data) => createFastCpuTrainer(config, variant, data, { workers: 1 }), c, 50);
      out.weightGap.forEach((gap, l) => expect(gap, `layer ${l + 1} weight gap`).toBeLessThanOrEqual(TOLERANCE));
      expect(Math.abs(out.candidateLoss - out.referenceLoss) / Math.abs(out.referenceLoss)).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe('matmul kernel at sizes that are multiples of no block, against float64', () => {
  const SIZES = [1, 3, 17, 65];
  // f64 accumulation of f32 inputs, rounded once to f32 per k block: the result is within
  // a few f32 ulps of the exact sum. Bound |err| ≤ 4·2⁻²⁴·Σ|a·b| per element, as TESTING.md states it.
  function check(M: number, K: number, N: number, kc: number, nc: number, kind: 'AW' | 'AtD' | 'DWt') {
    const rng = new Rng(M * 1000 + K * 10 + N);
    const P = Float32Array.from({ length: M * K }, () => rng.range(-1, 1)); // logical [M, K]
    const Q = Float32Array.from({ length: K * N }, () => rng.range(-1, 1)); // logical [K, N]
    const bias = Float32Array.from({ length: N }, () => rng.range(-1, 1));
    // Heap: P stored in the layout the product reads it in, Q likewise, then bias, then C (poisoned).
    const h = new Float32Array(2 * M * K + 2 * K * N + N + M * N);
    const p = 0, q = M * K, b = q + K * N, c = b + N;
    h.fill(Number.NaN, c);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) {
      // AtD stores P transposed ([K, M], read as Aᵀ); the others row-major [M, K].
      h[p + (kind === 'AtD' ? k * M + m : m * K + k)] = P[m * K + k];
    }
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) {
      // DWt stores Q transposed ([N, K], read as Wᵀ).
      h[q + (kind === 'DWt' ? n * K + k : k * N + n)] = Q[k * N + n];
    }
    h.set(bias, b);
    const useBias = kind === 'AW';
    if (kind === 'AW') matmulRows(h, p, K, 1, q, N, 1, c, N, K, 0, M, b, 0, 0, 0, kc, nc);
    else if (kind === 'AtD') matmulRows(h, p, 1, M, q, N, 1, c, N, K, 0, M, -1, 0, 0, 0, kc, nc);
    else matmulRows(h, p, K, 1, q, 1, K, c, N, K, 0, M, -1, 0, 0, 0, kc, nc);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
      let s = useBias ? bias[n] : 0;
      let mag = Math.abs(s);
      for (let k = 0; k < K; k++) { s += P[m * K + k] * Q[k * N + n]; mag += Math.abs(P[m * K + k] * Q[k * N + n]); }
      const got = h[c + m * N + n];
      const bound = 4 * 2 ** -24 * mag * Math.ceil(K / kc) + 1e-30;
      if (!(Math.abs(got - s) <= bound))
        throw new Error(`${kind} ${M}×${K}×${N} (kc ${kc}, nc ${nc}) C[${m},${n}] = ${got}, expected ${s} (bound ${bound})`);
    }
  }
  for (const kind of ['AW', 'AtD', 'DWt'] as const)
    it(`${kind}: every M, K, N in {1, 3, 17, 65}, default blocks and 8×4 blocks`, () => {
      for (const M of SIZES) for (const K of SIZES) for (const N of SIZES) {
        check(M, K, N, 256, 256, kind);
        check(M, K, N, 8, 4, kind); // many k blocks (partial sums through C) and n blocks
      }
    });
});

describe('workers', () => {
  // Each output element is summed by one thread in the same order whatever the split (rows
  // are cut at multiples of 4, k blocks at multiples of kc from 0, update element-wise), and
  // V8 never fuses a·b + c, so 1 and 2 threads must agree bitwise.
  const config = validateConfig({ layers: [13, 65, 33, 7], batch: 21, optimizer: 'adam', lr: 1e-3, activation: 'relu', loss: 'ce', seed: 5 });
  const data = makeDataset(config);
  let one: FastCpuTrainer;
  let two: FastCpuTrainer;
  beforeAll(async () => {
    one = await createFastCpuTrainer(config, 'decay', data, { workers: 1 });
    two = await createFastCpuTrainer(config, 'decay', data, { workers: 2, kBlock: 16, nBlock: 8 });
    // Same small blocks on one thread, so only the thread split differs.
    one.dispose();
    one = await createFastCpuTrainer(config, 'decay', data, { workers: 1, kBlock: 16, nBlock: 8 });
  });
  afterAll(() => {
    one.dispose();
    two.dispose();
  });

  it('1 and 2 threads give bitwise identical weights, losses and norms after 30 steps', async () => {
    expect(two.threads).toBe(2);
    await one.train(30);
    await two.train(30);
    const [p, q] = [await one.getParameters(), await two.getParameters()];
    p.weights.forEach((w, l) => expect(Array.from(q.weights[l]), `layer ${l + 1} weights`).toEqual(Array.from(w)));
    p.biases.forEach((b, l) => expect(Array.from(q.biases[l]), `layer ${l + 1} biases`).toEqual(Array.from(b)));
    expect(await two.losses()).toEqual(await one.losses());
    expect(await two.norms()).toEqual(await one.norms());
  });

  it('setParameters resets the step count and optimizer state (replays the same run)', async () => {
    const start = initialParameters(config);
    await two.setParameters(start);
    expect(two.step).toBe(0);
    expect((await two.losses()).train).toBeNaN();
    await two.train(30);
    await one.setParameters(start);
    await one.train(30);
    const [p, q] = [await one.getParameters(), await two.getParameters()];
    p.weights.forEach((w, l) => expectClose(q.weights[l], w, { rtol: 0, atol: 0 }, `layer ${l + 1}`));
    expect(two.step).toBe(30);
  });

  it('dispose terminates the workers and later calls reject', async () => {
    const t = await createFastCpuTrainer(config, 'l2', data, { workers: 2 });
    t.dispose();
    await expect(t.train(1)).rejects.toThrow(/disposed/);
  });
});

describe('SGD: L2 at λ and decay at α = η·λ agree on the fast CPU', () => {
  it('per-layer weight gap ≤ 1e-5 after 200 steps (2 threads)', async () => {
    const config = validateConfig({ layers: [20, 64, 64, 5], batch: 32, optimizer: 'sgd', lr: 0.05, lambda: 0.01, seed: 7 });
    const data = makeDataset(config);
    const [l2, decay] = await Promise.all([
      createFastCpuTrainer(config, 'l2', data, { workers: 2 }),
      createFastCpuTrainer(config, 'decay', data, { workers: 2 }),
    ]);
    try {
      await l2.train(200);
      await decay.train(200);
      const gaps = agreement((await l2.getParameters()).weights, (await decay.getParameters()).weights);
      gaps.weightGap.forEach((g, l) => expect(g, `layer ${l + 1}`).toBeLessThanOrEqual(1e-5));
    } finally {
      l2.dispose();
      decay.dispose();
    }
  });
});

describe('a page that is not cross-origin isolated (no SharedArrayBuffer for workers)', () => {
  afterAll(() => vi.unstubAllGlobals());

  it('defaults to one thread, and an explicit request for more says what the page needs', async () => {
    vi.stubGlobal('crossOriginIsolated', false);
    const config = validateConfig({ layers: [4, 6, 2] });
    const data = makeDataset(config);
    const single = await createFastCpuTrainer(config, 'l2', data);
    expect(single.threads).toBe(1);
    await single.train(3);
    single.dispose();
    await expect(createFastCpuTrainer(config, 'l2', data, { workers: 2 })).rejects.toThrow(/needs SharedArrayBuffer.*Cross-Origin-Opener-Policy/);
  });
});
