// The fused epilogues of a product: the activation forward (A = act(Z)) and its derivative
// backward (dZ ⊙= act'), run on each block of C as soon as its last k block is written.

import { f } from './memory';

// Epilogue modes of a product, run on each block of C after its last k block.
export const TANH = 1; // A = tanh(Z) into e1
export const RELU = 2; // A = max(0, Z) into e1
export const TANH_BACK = 3; // C ⊙= 1 − A², A at e2
export const RELU_BACK = 4; // C ⊙= [Z > 0], Z at e1

/** The fused epilogue on rows [ma, mb) × columns [na, nb) of C (row-major [·, N] at c), just written. */
export function epilogue(c: i32, N: i32, ma: i32, mb: i32, na: i32, nb: i32, mode: i32, e1: i32, e2: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  for (let m = ma; m < mb; m++) {
    const row = m * N;
    let n = na;
    for (; n + 4 <= nb; n += 4) {
      const i = f(row + n);
      const v = v128.load(f(c) + i);
      if (mode == TANH) v128.store(f(e1) + i, tanh4(v));
      else if (mode == RELU) v128.store(f(e1) + i, f32x4.max(zero, v));
      else if (mode == TANH_BACK) {
        const a = v128.load(f(e2) + i);
        v128.store(f(c) + i, f32x4.mul(v, f32x4.sub(one, f32x4.mul(a, a))));
      } else if (mode == RELU_BACK) {
        const z = v128.load(f(e1) + i);
        v128.store(f(c) + i, f32x4.mul(v, v128.bitselect(one, zero, f32x4.gt(z, zero))));
      }
    }
    for (; n < nb; n++) {
      // The scalar edge through lane 0 of the same vector code: one formula for every element.
      const i = f(row + n);
      const v = f32x4.splat(load<f32>(f(c) + i));
      if (mode == TANH) store<f32>(f(e1) + i, f32x4.extract_lane(tanh4(v), 0));
      else if (mode == RELU) store<f32>(f(e1) + i, f32x4.extract_lane(f32x4.max(zero, v), 0));
      else if (mode == TANH_BACK) {
        const a = load<f32>(f(e2) + i);
        store<f32>(f(c) + i, f32x4.extract_lane(v, 0) * (1 - a * a));
      } else if (mode == RELU_BACK) {
        const z = load<f32>(f(e1) + i);
        store<f32>(f(c) + i, f32x4.extract_lane(v, 0) * (z > 0 ? <f32>1 : <f32>0));
      }
    }
  }
}

/**
 * e^x for x ≤ 0 (tanh4 passes −2|x| ≥ −18): x = n·ln2 + r, |r| ≤ ln2/2 (Cody–Waite, ln2 in two
 * parts), e^r by its Taylor series to r⁷ (truncation < 1e-8 relative), times 2ⁿ built in the
 * exponent bits. About 2 ulp.
 */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693145752)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(1.42860677e-6)));
  let e = f32x4.splat(1.0 / 5040);
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(1.0 / 720));
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(1.0 / 120));
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(1.0 / 24));
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(1.0 / 6));
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(0.5));
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(1));
  e = f32x4.add(f32x4.mul(e, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(e, scale);
}

/**
 * tanh, four lanes: |x| < 0.125 by its odd series to x⁹ (error < 2e-10 relative), else
 * sign(x)·(1 − e)/(1 + e) with e = e^{−2|x|}, |x| clamped at 9 (tanh = 1 in float32 beyond).
 * Within a few ulp of Math.tanh; NaN stays NaN.
 */
function tanh4(x: v128): v128 {
  const ax = f32x4.min(f32x4.abs(x), f32x4.splat(9));
  const e = exp4(f32x4.mul(ax, f32x4.splat(-2)));
  const big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  const x2 = f32x4.mul(x, x);
  let s = f32x4.splat(62.0 / 2835);
  s = f32x4.sub(f32x4.mul(s, x2), f32x4.splat(17.0 / 315));
  s = f32x4.add(f32x4.mul(s, x2), f32x4.splat(2.0 / 15));
  s = f32x4.sub(f32x4.mul(s, x2), f32x4.splat(1.0 / 3));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(s, x2), x));
  // Copy x's sign onto the large-|x| value: bit 31 from x, the rest from big.
  const signed = v128.bitselect(x, big, i32x4.splat(0x80000000));
  const result = v128.bitselect(small, signed, f32x4.lt(f32x4.abs(x), f32x4.splat(0.125)));
  // NaN: min(NaN, 9) is NaN in wasm, so `big` is NaN already; keep it explicit for clarity.
  return v128.bitselect(x, result, f32x4.ne(x, x));
}
