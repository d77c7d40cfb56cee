/**
 * Float32 overflow must not pass for a result (issue 10 item 6): hyperparameters float32 cannot
 * hold are named before the run, and an f32 row whose weights stopped moving says so.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/bench/runner';
import { createFastCpuTrainer } from '../../src/cpu/fast';
import { createReferenceTrainer } from '../../src/cpu/reference';
import { DEFAULT_CONFIG, validateConfig } from '../../src/model/config';
import { F32_MAX, F32_MIN_NORMAL, float32Warnings, frozenFrom } from '../../src/model/float32-range';

describe('float32Warnings', () => {
  it('is silent for the defaults and every preset-like setting', () => {
    expect(float32Warnings(DEFAULT_CONFIG)).toEqual([]);
    expect(float32Warnings({ ...DEFAULT_CONFIG, optimizer: 'adam', lr: 1e-3, lambda: 1e-2 })).toEqual([]);
  });

  it.each([
    ['eps below the smallest normal (Adam)', { optimizer: 'adam', eps: 1e-40 }, /eps = 1\.0e-40 is below float32's smallest normal/],
    ['α = lr·λ underflowing', { lr: 1e-30, lambda: 1e-20 }, /α = lr × lambda = 1\.0e-50 underflows float32/],
    ['1 − α rounding to 1', { lr: 1e-4, lambda: 1e-5 }, /1 − α rounds to 1 in float32/],
    ['λ beyond f32 max', { lambda: 1e39 }, /lambda = 1\.0e\+39 is beyond float32's largest value/],
    ["Adam's second moment overflowing", { optimizer: 'adam', lambda: 1e30 }, /Adam's second moment .* overflows float32 above lambda ≈ 1\.8e\+19/],
  ] as const)('%s', (_name, change, message) => {
    expect(float32Warnings({ ...DEFAULT_CONFIG, ...change }).join('\n')).toMatch(message);
  });

  it('uses the true float32 bounds', () => {
    expect(Math.fround(F32_MAX)).toBe(F32_MAX);
    expect(Math.fround(F32_MAX * 1.0000001)).toBe(Infinity);
    expect(Math.fround(F32_MIN_NORMAL)).toBe(F32_MIN_NORMAL);
  });
});

describe('frozenFrom', () => {
  it('finds the first record from which the norms never change, with at least three such records', () => {
    expect(frozenFrom([[1], [2], [3], [3], [3]], [5, 10, 15, 20, 25])).toBe(15);
    expect(frozenFrom([[1], [2], [3], [3]], [5, 10, 15, 20])).toBeNull();
    expect(
      frozenFrom(
        [
          [1, 2],
          [1, 3],
          [1, 3],
          [1, 3],
        ],
        [1, 2, 3, 4],
      ),
    ).toBe(2);
  });
});

describe('--lambda 1e30 --optimizer adam', () => {
  it('the f32 rows say their weights stopped changing, the run notes say why, and the float64 reference keeps learning', async () => {
    const config = validateConfig({ layers: [6, 10, 4], batch: 8, steps: 40, optimizer: 'adam', lambda: 1e30, lr: 1e-3 });
    const r = await runBenchmark({
      config,
      backends: ['cpu', 'reference'],
      variants: ['l2'],
      factories: { cpu: (c, v, d) => createFastCpuTrainer(c, v, d, { workers: 1 }), reference: createReferenceTrainer },
      gpu: null,
      recordEvery: 5,
    });
    const [cpu, reference] = r.results;
    expect(cpu.backend).toBe('cpu');
    expect(cpu.nonFiniteAtStep).toBeNull();
    expect(cpu.note).toMatch(
      /weights stopped changing at step \d+: the norms are identical in every record from there to step 40 — float32 optimizer state may have overflowed/,
    );
    expect(reference.note ?? '').not.toMatch(/stopped changing/);
    expect(r.notes?.join('\n')).toMatch(/^float32: lambda = 1\.0e\+30: Adam's second moment/m);
  });
});
