/**
 * Every kernel, run for real and compared with a float64 computation, at sizes that are
 * multiples of no tile as well as round ones. Outputs are poisoned with NaN first, so an
 * element a kernel fails to write fails the test.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../src/model/config';
import { Rng } from '../../src/model/rng';
import { Kernels, MATMUL_VARIANTS } from '../../src/gpu/kernels';
import type { MatmulProduct } from '../../src/gpu/passes/matmul-pass';
import { MatmulPass } from '../../src/gpu/passes/matmul-pass';
import { LossPass } from '../../src/gpu/passes/loss-pass';
import { NormsPass } from '../../src/gpu/passes/norms-pass';
import { meanLoss, softmaxRows } from '../../src/cpu/reference';
import { poisonedBuffer, readBuffer, releaseGpu, storageBuffer, withDevice } from './fixture';
import { correctRows } from '../../src/model/accuracy';

afterAll(releaseGpu);

const EPS32 = 2 ** -24;

function random(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.range(-scale, scale));
}

/** Runs passes in one compute pass and waits. */
async function run(device: GPUDevice, encode: (pass: GPUComputePassEncoder) => void): Promise<void> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encode(pass);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/**
 * Checks out against expected with the bound of docs/TESTING.md: |gpu − ref| ≤ c·K·2⁻²⁴·Σ|aᵢbᵢ| + atol,
 * c = 2 (products and sums each round once), atol for the activation's own rounding.
 */
function checkBound(actual: Float32Array, expected: Float64Array, magnitude: Float64Array, K: number, atol: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const bound = 2 * K * EPS32 * magnitude[i] + atol;
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= bound))
      throw new Error(
        `${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (|diff| ${diff.toExponential(2)} > bound ${bound.toExponential(2)})`,
      );
  }
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 2],
  [17, 3, 65],
  [65, 17, 3],
  [257, 65, 17],
  [64, 128, 32],
];

describe.each(MATMUL_VARIANTS)('matmul (%s)', (variant) => {
  const products: [MatmulProduct, Activation | 'identity'][] = [
    ['forward', 'tanh'],
    ['forward', 'relu'],
    ['forward', 'identity'],
    ['weightGrad', 'identity'],
    ['inputGrad', 'tanh'],
    ['inputGrad', 'relu'],
  ];
  it.each(SIZES)('M=%i N=%i K=%i: all products against float64', async (M, N, K) => {
    await withDevice(async ({ device }) => {
      const kernels = Kernels.of(device);
      if (variant === 'subgroup' && !kernels.hasSubgroup4) {
        // Where the device has no 4-wide subgroups the kernel is refused in words, never half-made.
        const buffer = storageBuffer(device, 'x', new Float64Array(M * N * K + 1));
        expect(
          () =>
            new MatmulPass(
              kernels,
              'test.refused',
              'forward',
              { M, N, K },
              { a: buffer, b: buffer, out: poisonedBuffer(device, 'out', M * N) },
              'identity',
              variant,
            ),
        ).toThrow(/needs the WebGPU feature 'subgroups' with 4-wide subgroups/);
        return;
      }
      const rng = new Rng(M * 1000 + N * 10 + K);
      for (const [product, activation] of products) {
        // Stored shapes: op(A) is [M, K] (stored [K, M] for weightGrad); op(B) is [K, N] (stored [N, K] for inputGrad).
        const a = random(rng, M * K);
        const b = random(rng, K * N);
        const bias = random(rng, N);
        // aux holds activations A_{l-1}: tanh outputs in (−1, 1); relu outputs ≥ 0 with some zeros.
        const aux = Float64Array.from({ length: M * N }, () => (activation === 'relu' ? Math.max(0, rng.range(-1, 1)) : rng.range(-0.99, 0.99)));
        const opA = (m: number, k: number) => (product === 'weightGrad' ? a[k * M + m] : a[m * K + k]);
        const opB = (k: number, n: number) => (product === 'inputGrad' ? b[n * K + k] : b[k * N + n]);
        const expected = new Float64Array(M * N);
        const magnitude = new Float64Array(M * N);
        for (let m = 0; m < M; m++)
          for (let n = 0; n < N; n++) {
            let s = 0;
            let mag = 0;
            for (let k = 0; k < K; k++) {
              s += opA(m, k) * opB(k, n);
              mag += Math.abs(opA(m, k) * opB(k, n));
            }
            const i = m * N + n;
            if (product === 'forward') {
              const z = s + bias[n];
              expected[i] = activation === 'tanh' ? Math.tanh(z) : activation === 'relu' ? Math.max(0, z) : z;
              mag += Math.abs(bias[n]);
            } else if (product === 'inputGrad') {
              const d = activation === 'tanh' ? 1 - aux[i] * aux[i] : aux[i] > 0 ? 1 : 0;
              expected[i] = s * d;
              mag *= Math.abs(d);
            } else expected[i] = s;
            magnitude[i] = mag;
          }
        const out = poisonedBuffer(device, 'out', M * N);
        // weightGrad also writes the bias gradient: the column sums of op(B) = dZ.
        const biasGrad = product === 'weightGrad' ? poisonedBuffer(device, 'biasGrad', N) : undefined;
        const pass = new MatmulPass(
          kernels,
          `test.${product}`,
          product,
          { M, N, K },
          {
            a: storageBuffer(device, 'a', a),
            b: storageBuffer(device, 'b', b),
            bias: product === 'forward' ? storageBuffer(device, 'bias', bias) : undefined,
            aux: product === 'inputGrad' ? storageBuffer(device, 'aux', aux) : undefined,
            out,
            biasGrad,
          },
          activation,
          variant,
        );
        await run(device, (p) => pass.encode(p));
        const actual = await readBuffer(device, out, Math.max(16, Math.ceil((M * N * 4) / 16) * 16));
        // tanh_stable is good to ~2⁻²³ absolute; the rest is the dot product's rounding.
        checkBound(actual.subarray(0, M * N), expected, magnitude, K, 4e-7, `${variant} ${product}/${activation} ${M}×${N}×${K}`);
        if (biasGrad) {
          const sums = new Float64Array(N);
          const sumsMagnitude = new Float64Array(N);
          for (let k = 0; k < K; k++)
            for (let n = 0; n < N; n++) {
              sums[n] += opB(k, n);
              sumsMagnitude[n] += Math.abs(opB(k, n));
            }
          const got = (await readBuffer(device, biasGrad)).subarray(0, N);
          checkBound(got, sums, sumsMagnitude, K, 0, `${variant} bias gradient (column sums of dZ) ${K}×${N}`);
        }
      }
    });
  });
});

describe('loss and norm reductions', () => {
  it.each([
    [1, 1],
    [3, 5],
    [17, 10],
    [257, 3],
    [300, 1],
  ])('B=%i n_L=%i: MSE and cross-entropy loss and dZ', async (B, n) => {
    await withDevice(async ({ device }) => {
      const kernels = Kernels.of(device);
      const rng = new Rng(B * 7 + n);
      for (const loss of ['mse', 'ce'] as const) {
        // Logits up to ±40 exercise the stable softmax (exp(40) overflows nothing, but exp(40)·n in f32 would be close).
        const z = random(rng, B * n, loss === 'ce' ? 40 : 2);
        const t = new Float64Array(B * n);
        for (let r = 0; r < B; r++) {
          if (loss === 'ce') t[r * n + Math.floor(rng.uniform() * n)] = 1;
          else for (let k = 0; k < n; k++) t[r * n + k] = rng.normal();
        }
        const y = loss === 'ce' ? softmaxRows(z, B, n) : z;
        const expectedLoss = meanLoss(loss, z, y, t, B, n);
        const expectedDz = Float64Array.from(y, (v, i) => (v - t[i]) / B);
        const dz = poisonedBuffer(device, 'dz', B * n);
        const lossOut = poisonedBuffer(device, 'lossOut', 2);
        const pass = new LossPass(
          kernels,
          'test.loss',
          loss,
          { rows: B, cols: n },
          {
            z: storageBuffer(device, 'z', z),
            targets: storageBuffer(device, 't', t),
            dz,
            rowLoss: poisonedBuffer(device, 'rowLoss', 2 * B),
            lossOut,
          },
        );
        await run(device, (p) => pass.encode(p));
        const gotDz = (await readBuffer(device, dz)).subarray(0, B * n);
        const [gotLoss, gotRight] = await readBuffer(device, lossOut);
        // The rows classified right, counted on the GPU (CE only; MSE has no classes).
        expect(gotRight, `${loss} rows right`).toBe(loss === 'ce' ? correctRows(z, 0, t, 0, B, n) : 0);
        for (let i = 0; i < B * n; i++)
          expect(Math.abs(gotDz[i] - expectedDz[i]), `${loss} dZ[${i}]: ${gotDz[i]} vs ${expectedDz[i]}`).toBeLessThanOrEqual(
            1e-6 / B + 4 * n * EPS32 * Math.abs(expectedDz[i]),
          );
        expect(Math.abs(gotLoss - expectedLoss) / Math.max(1, Math.abs(expectedLoss)), `${loss} loss ${gotLoss} vs ${expectedLoss}`).toBeLessThan(1e-5);
      }
    });
  });

  it('norms: sums of squares of several layers, small and large (more values than stage-1 threads)', async () => {
    await withDevice(async ({ device }) => {
      const rng = new Rng(3);
      const counts = [1, 17, 257, 65 * 1024 + 3];
      const weights = counts.map((n) => random(rng, n));
      const sums = poisonedBuffer(device, 'sums', counts.length);
      const pass = new NormsPass(
        Kernels.of(device),
        'test.norms',
        weights.map((w, i) => ({ buffer: storageBuffer(device, `w${i}`, w), count: counts[i] })),
        sums,
      );
      await run(device, (p) => pass.encode(p));
      const got = (await readBuffer(device, sums)).subarray(0, counts.length);
      weights.forEach((w, l) => {
        const expected = w.reduce((s, v) => s + v * v, 0);
        // Tree sums: error grows like log2(n)·2⁻²⁴ relative; 1e-5 leaves a wide margin and still catches a missed element.
        expect(Math.abs(got[l] - expected) / expected, `layer ${l + 1}: ${got[l]} vs ${expected}`).toBeLessThan(1e-5);
      });
    });
  });
});
