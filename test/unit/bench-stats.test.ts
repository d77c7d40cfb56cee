import { describe, expect, test } from 'vitest';
import { median, quantile, spread } from '../../src/bench/stats';

describe('timing statistics (type-7 quantiles)', () => {
  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  test('p10/p90 interpolate between closest ranks', () => {
    // Sorted 10..100 step 10: h = 9p → p10 at h = 0.9 → 10 + 0.9·10 = 19; p90 at h = 8.1 → 91.
    const xs = [50, 10, 90, 30, 70, 20, 100, 40, 80, 60];
    expect(quantile(xs, 0.1)).toBeCloseTo(19, 12);
    expect(quantile(xs, 0.9)).toBeCloseTo(91, 12);
    expect(quantile(xs, 0)).toBe(10);
    expect(quantile(xs, 1)).toBe(100);
    expect(spread(xs)).toEqual({ median: 55, p10: quantile(xs, 0.1), p90: quantile(xs, 0.9) });
  });

  test('synthetic step timings: a few slow outliers widen p90 but leave the median', () => {
    const timings = [...new Array(45).fill(2.0), 2.1, 2.2, 9, 15, 40];
    const s = spread(timings);
    expect(s.median).toBe(2.0);
    expect(s.p10).toBe(2.0);
    expect(s.p90).toBeGreaterThan(2.0);
    const mean = timings.reduce((a, b) => a + b, 0) / timings.length;
    expect(mean).toBeGreaterThan(3); // what a mean would have reported
  });

  test('one sample: every quantile is that sample', () => {
    expect(spread([1.5])).toEqual({ median: 1.5, p10: 1.5, p90: 1.5 });
  });

  test('input is not reordered', () => {
    const xs = [3, 1, 2];
    spread(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  test('refuses nothing, NaN and p outside [0, 1]', () => {
    expect(() => median([])).toThrow(/no samples/);
    expect(() => spread([1, Number.NaN])).toThrow(/sample 1 is NaN/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/\[0, 1\]/);
  });
});
