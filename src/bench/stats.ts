/**
 * Summary statistics of timing samples. Medians and a p10–p90 band rather than mean and
 * standard deviation: step times are skewed (a GC pause, a preempted core, a late fence), and
 * a few slow outliers should widen the band, not move the headline figure.
 */
import type { Spread } from './results';

/**
 * The p-quantile (0 ≤ p ≤ 1) by linear interpolation between closest ranks (Hyndman & Fan
 * type 7, numpy's and R's default): with the n samples sorted ascending as x_0 … x_{n−1},
 * h = (n − 1)·p and q = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌈h⌉ − x_⌊h⌋). So p10 of one sample is that sample,
 * the median of an even count is the mean of the middle two, and p0/p1 are min/max.
 * Throws on an empty list, a non-finite sample or p outside [0, 1]: a timing figure made
 * from nothing or from NaN must not look like a measurement.
 */
export function quantile(samples: readonly number[], p: number): number {
  return quantileOfSorted(sortChecked(samples), p);
}

function sortChecked(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new Error('quantile of no samples');
  const bad = samples.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`sample ${bad} is ${samples[bad]}; timings must be finite`);
  return [...samples].sort((a, b) => a - b);
}

function quantileOfSorted(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`quantile p = ${p}: must be in [0, 1]`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Median, p10 and p90 of the samples (type-7 quantiles, see `quantile`). */
export function spread(samples: readonly number[]): Spread {
  const sorted = sortChecked(samples);
  return { median: quantileOfSorted(sorted, 0.5), p10: quantileOfSorted(sorted, 0.1), p90: quantileOfSorted(sorted, 0.9) };
}
