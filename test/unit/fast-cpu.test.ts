/**
 * The fast CPU trainer (float32, blocked, workers) against the float64 reference, on the
 * shared parity suite, plus its matmul kernel at awkward sizes and its worker/single-thread
 * determinism.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastCpuTrainer } from '../../src/cpu/fast';
import { createFastCpuTrainer } from '../../src/cpu/fast';
import type { KernelFlavour } from '../../src/cpu/wasm-kernels';
import { HEAP_BASE, bestFlavour } from '../../src/cpu/wasm-kernels';
import { validateConfig } from '../../src/model/config';
import { makeDataset } from '../../src/model/data';
import { agreement } from '../../src/model/metrics';
import { initialParameters } from '../../src/model/parameters';
import { Rng } from '../../src/model/rng';
import { expectClose } from '../support/expect-close';
import { parityCases, runParity } from '../support/parity';
import { testKernels } from '../support/wasm-kernels';

const FLAVOURS: KernelFlavour[] = ['plain', 'relaxed'];

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
  for (const kernels of FLAVOURS)
    for (const c of parityCases()) {
      it(`${kernels} SIMD: ${c.name}`, async () => {
        const out = await runParity((config, variant, data) => createFastCpuTrainer(config, variant, data, { workers: 1, kernels }), c, 50);
        out.weightGap.forEach((gap, l) => expect(gap, `layer ${l + 1} weight gap`).toBeLessThanOrEqual(TOLERANCE));
        expect(Math.abs(out.candidateLoss - out.referenceLoss) / Math.abs(out.referenceLoss)).toBeLessThanOrEqual(TOLERANCE);
      });
    }
});

for (const flavour of FLAVOURS)
  describe(`WebAssembly matmul kernel (${flavour} SIMD) at sizes that are multiples of no block or tile, against float64`, () => {
    const SIZES = [1, 3, 17, 65];
    const kernels = testKernels(1 << 20, flavour);
    // f32 products summed in f32, in k order: each element is within γ_{K+1}·Σ|a·b| of the exact
    // sum (Higham, Accuracy and Stability of Numerical Algorithms, eq. 3.5), γ_n = n·u/(1 − n·u),
    // u = 2⁻²⁴. The bias counts as one more term; a fused multiply-add only rounds less.
    function check(M: number, K: number, N: number, kc: number, nc: number, kind: 'AW' | 'AtD' | 'DWt') {
      const rng = new Rng(M * 1000 + K * 10 + N);
      const P = Float32Array.from({ length: M * K }, () => rng.range(-1, 1)); // logical [M, K]
      const Q = Float32Array.from({ length: K * N }, () => rng.range(-1, 1)); // logical [K, N]
      const bias = Float32Array.from({ length: N }, () => rng.range(-1, 1));
      // Memory: P stored in the layout the product reads it in, Q likewise, bias, C (poisoned), pack scratch.
      const h = kernels.h;
      const p = HEAP_BASE,
        q = p + M * K,
        b = q + K * N,
        c = b + N,
        pack = c + M * N;
      h.fill(Number.NaN, c, pack + kc * nc);
      for (let m = 0; m < M; m++)
        for (let k = 0; k < K; k++) {
          // AtD stores P transposed ([K, M], read as Aᵀ); the others row-major [M, K].
          h[p + (kind === 'AtD' ? k * M + m : m * K + k)] = P[m * K + k];
        }
      for (let k = 0; k < K; k++)
        for (let n = 0; n < N; n++) {
          // DWt stores Q transposed ([N, K], read as Wᵀ, packed by the kernel).
          h[q + (kind === 'DWt' ? n * K + k : k * N + n)] = Q[k * N + n];
        }
      h.set(bias, b);
      const useBias = kind === 'AW';
      const k = kernels.exports;
      if (kind === 'AW') k.matmul(p, K, 1, q, N, 1, c, N, K, 0, M, b, 0, 0, 0, kc, nc, pack);
      else if (kind === 'AtD') k.matmul(p, 1, M, q, N, 1, c, N, K, 0, M, -1, 0, 0, 0, kc, nc, pack);
      else k.matmul(p, K, 1, q, 1, K, c, N, K, 0, M, -1, 0, 0, 0, kc, nc, pack);
      const u = 2 ** -24;
      const gamma = ((K + 1) * u) / (1 - (K + 1) * u);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = useBias ? bias[n] : 0;
          let mag = Math.abs(s);
          for (let k = 0; k < K; k++) {
            s += P[m * K + k] * Q[k * N + n];
            mag += Math.abs(P[m * K + k] * Q[k * N + n]);
          }
          const got = h[c + m * N + n];
          const bound = gamma * mag + 1e-30;
          if (!(Math.abs(got - s) <= bound))
            throw new Error(`${kind} ${M}×${K}×${N} (kc ${kc}, nc ${nc}) C[${m},${n}] = ${got}, expected ${s} (bound ${bound})`);
        }
    }
    for (const kind of ['AW', 'AtD', 'DWt'] as const)
      it(`${kind}: every M, K, N in {1, 3, 17, 65}, default blocks and 8×4 blocks`, () => {
        for (const M of SIZES)
          for (const K of SIZES)
            for (const N of SIZES) {
              check(M, K, N, 256, 256, kind);
              check(M, K, N, 8, 4, kind); // many k blocks (partial sums through C) and n blocks
            }
      });

    it('the fused tanh epilogue is within 4 ulp (float32) of Math.tanh from −20 to 20, vector lanes and edge cells alike', () => {
      // A = tanh(1·x + 0): K = 1, P = 1, Q = the x row, so Z = x exactly; N = 4003 leaves a scalar edge.
      const N = 4003;
      const h = kernels.h;
      const p = HEAP_BASE,
        q = p + 16,
        z = q + N + 16,
        a = z + N + 16;
      h[p] = 1;
      for (let n = 0; n < N; n++) h[q + n] = -20 + (40 * n) / (N - 1) + (n % 7 === 0 ? 1e-4 * n : 0);
      h.fill(Number.NaN, z, a + N);
      kernels.exports.matmul(p, 1, 1, q, N, 1, z, N, 1, 0, 1, -1, 1, a, 0, 256, 256, a + N + 16);
      let worst = 0;
      for (let n = 0; n < N; n++) {
        const want = Math.tanh(h[z + n]);
        const ulp = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(want) || 2 ** -126)) - 23));
        worst = Math.max(worst, Math.abs(h[a + n] - want) / ulp);
      }
      expect(worst).toBeLessThanOrEqual(4);
    });
  });

describe('kernel flavours', () => {
  it('this Node runs the relaxed-SIMD (fused multiply-add) kernels, as the CLIs and Chrome do', () => {
    expect(bestFlavour()).toBe('relaxed');
  });

  it('the engine name says which kernels and how many threads', async () => {
    const config = validateConfig({ layers: [4, 6, 2] });
    const t = await createFastCpuTrainer(config, 'l2', makeDataset(config), { workers: 1, kernels: 'plain' });
    expect(t.engine).toBe('CPU: WASM SIMD, 1 thread');
    t.dispose();
  });
});

for (const kernels of FLAVOURS)
  describe(`workers (${kernels} SIMD)`, () => {
    // Each output element is summed by one thread in the same order whatever the split (rows
    // are cut at multiples of 4, the update is element-wise) with float32 operations that plain
    // WebAssembly SIMD never fuses, so 1 and 2 threads must agree bitwise.
    const config = validateConfig({ layers: [13, 65, 33, 7], batch: 21, optimizer: 'adam', lr: 1e-3, activation: 'relu', loss: 'ce', seed: 5 });
    const data = makeDataset(config);
    let one: FastCpuTrainer;
    let two: FastCpuTrainer;
    beforeAll(async () => {
      two = await createFastCpuTrainer(config, 'decay', data, { workers: 2, kBlock: 16, nBlock: 8, kernels });
      // Same small blocks on one thread, so only the thread split differs.
      one = await createFastCpuTrainer(config, 'decay', data, { workers: 1, kBlock: 16, nBlock: 8, kernels });
    });
    afterAll(() => {
      one.dispose();
      two.dispose();
    });

    it('1 and 2 threads give bitwise identical weights, losses and norms after 30 steps', async () => {
      expect(two.threads).toBe(2);
      expect(two.engine).toBe(`CPU: WASM SIMD${kernels === 'relaxed' ? ' (relaxed FMA)' : ''}, 2 threads`);
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
