import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/model/rng';

describe('Rng (xoshiro128** seeded by splitmix32)', () => {
  it('gives the pinned stream for seed 1 on every platform', () => {
    const rng = new Rng(1);
    const first = Array.from({ length: 4 }, () => rng.nextUint32());
    expect(first).toEqual(PINNED_SEED_1);
  });

  it('gives a different stream for a different seed', () => {
    const a = new Rng(1);
    const b = new Rng(2);
    const same = Array.from({ length: 16 }, () => a.nextUint32() === b.nextUint32()).filter(Boolean).length;
    expect(same).toBeLessThan(2);
  });

  it('repeats itself for the same seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 100; i++) expect(a.uniform()).toBe(b.uniform());
  });

  it('draws uniforms in [0, 1) and normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = new Rng(7);
    let sum = 0;
    let sumSq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
  });
});

// Pinned once from this implementation; any change to the algorithm or seeding changes every dataset and init.
const PINNED_SEED_1 = [2442144158, 3238099751, 3819917871, 2104621829];
