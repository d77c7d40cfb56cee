/**
 * expectClose in the tfjs manner: fails on NaN/Inf, reports the first bad index with
 * both values and a few neighbours, so a failure explains itself.
 */
export interface Tolerance {
  rtol: number;
  atol: number;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol, atol }: Tolerance, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isFinite(a) && Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      const lo = Math.max(0, i - 2);
      const hi = Math.min(actual.length, i + 3);
      const around = [];
      for (let j = lo; j < hi; j++) around.push(`[${j}] ${actual[j]} vs ${expected[j]}`);
      throw new Error(
        `${what}: index ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > atol ${atol} + rtol ${rtol}·|e|)\n  ${around.join('\n  ')}`,
      );
    }
  }
}
