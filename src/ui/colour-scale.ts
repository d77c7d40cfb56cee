/**
 * The heatmaps' colour scale: viridis (Smith & van der Walt, matplotlib's default), which is
 * perceptually uniform, reads in greyscale and for the common colour-vision deficiencies, and
 * keeps its contrast on a light and on a dark page. Pure functions, so unit tests read them.
 */

/** Viridis at 10 evenly spaced stops, from 0 (dark purple) to 1 (yellow). */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54],
  [0x48, 0x28, 0x78],
  [0x3e, 0x49, 0x89],
  [0x31, 0x68, 0x8e],
  [0x26, 0x82, 0x8e],
  [0x1f, 0x9e, 0x89],
  [0x35, 0xb7, 0x79],
  [0x6e, 0xce, 0x58],
  [0xb5, 0xde, 0x2b],
  [0xfd, 0xe7, 0x25],
];

/** The colour at t in [0, 1] (clamped), linearly between the stops. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/** The CSS gradient of the scale, left (0) to right (1), for the legend. */
export function viridisGradient(direction = 'to right'): string {
  return `linear-gradient(${direction}, ${VIRIDIS.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`).join(', ')})`;
}

export interface LossScale {
  /** Least and largest finite loss shown (both heatmaps of a pair share one scale). */
  min: number;
  max: number;
}

/** The scale over finite values (null when there is none); a loss ≤ 0 keeps the scale linear. */
export function lossScale(values: Iterable<number>): LossScale | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values)
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  return min <= max ? { min, max } : null;
}

/**
 * Where a loss sits on the scale, 1 for the least (bright: the eye goes to the good region) and
 * 0 for the largest; in log10 when every value is positive (losses span decades across a grid).
 */
export function scalePosition(v: number, s: LossScale): number {
  if (s.max === s.min) return 1;
  const log = s.min > 0;
  const [a, b, x] = log ? [Math.log10(s.min), Math.log10(s.max), Math.log10(v)] : [s.min, s.max, v];
  return 1 - (x - a) / (b - a);
}

/** Black or white text, whichever reads better on rgb (WCAG relative luminance). */
export function textOn([r, g, b]: readonly number[]): '#000' | '#fff' {
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000' : '#fff';
}
