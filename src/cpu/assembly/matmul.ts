// The products of a step (see kernels.ts for the addressing and the bitwise-equality argument):
// a cache-blocked matmul with register tiles, its operands transposed by index.

import { f } from './memory';
import { epilogue } from './epilogue';

/**
 * C[m, n] = init + Σ_k P(m, k)·Q(k, n) for rows [m0, m1), all n in [0, N), with
 *   P(m, k) = [p + m·pm + k·pk]   Q(k, n) = [q + k·qk + n·qn]   C row-major [·, N] at c,
 * so the three products of a step are transposes by index (see fast.ts). init is the bias
 * row [bias + n] when bias ≥ 0, else 0. k runs in blocks of kc (partial sums kept in C: f32
 * sums stored and reloaded exactly), n in blocks of nc. When Q is not contiguous in n
 * (qn ≠ 1, the Wᵀ of dZ·Wᵀ) each k×n block is first packed into this thread's scratch
 * `pack` (kc·nc floats). Inside a block: 4×8 register tiles (8 f32x4 accumulators), then
 * 4×4, then single cells at the right edge; rows left over at the bottom one at a time.
 */
export function matmul(
  p: i32, pm: i32, pk: i32, q: i32, qk: i32, qn: i32, c: i32, N: i32, K: i32,
  m0: i32, m1: i32, bias: i32, mode: i32, e1: i32, e2: i32, kc: i32, nc: i32, pack: i32,
): void {
  if (m1 <= m0) return;
  const m4 = m0 + ((m1 - m0) & ~3);
  for (let k0 = 0; k0 < K; k0 += kc) {
    const k1 = min(K, k0 + kc);
    const init = k0 == 0 ? (bias >= 0 ? 1 : 0) : 2; // 1 bias, 0 zero, 2 the partial sum in C
    for (let nb = 0; nb < N; nb += nc) {
      const nEnd = min(N, nb + nc);
      // Q(k, n) for this block at qb + (k − k0)·qs + (n − nb) (floats).
      let qb: i32, qs: i32;
      if (qn == 1) {
        qb = q + k0 * qk + nb;
        qs = qk;
      } else {
        const w = nEnd - nb;
        for (let k = k0; k < k1; k++) {
          const src = q + k * qk;
          const dst = pack + (k - k0) * w;
          for (let n = nb; n < nEnd; n++) store<f32>(f(dst + n - nb), load<f32>(f(src + n * qn)));
        }
        qb = pack;
        qs = w;
      }
      const pb = p + k0 * pk;
      const kn = k1 - k0;
      for (let m = m0; m < m4; m += 4) {
        let n = nb;
        for (; n + 8 <= nEnd; n += 8) tile4x8(pb + m * pm, pm, pk, qb + n - nb, qs, c + m * N + n, N, kn, init, bias + n);
        for (; n + 4 <= nEnd; n += 4) tile4x4(pb + m * pm, pm, pk, qb + n - nb, qs, c + m * N + n, N, kn, init, bias + n);
        for (; n < nEnd; n++)
          for (let r = 0; r < 4; r++) cell(pb + (m + r) * pm, pk, qb + n - nb, qs, c + (m + r) * N + n, kn, init, bias + n);
      }
      for (let m = m4; m < m1; m++) {
        let n = nb;
        for (; n + 4 <= nEnd; n += 4) tile1x4(pb + m * pm, pk, qb + n - nb, qs, c + m * N + n, kn, init, bias + n);
        for (; n < nEnd; n++) cell(pb + m * pm, pk, qb + n - nb, qs, c + m * N + n, kn, init, bias + n);
      }
      if (k1 == K && mode != 0) epilogue(c, N, m0, m1, nb, nEnd, mode, e1, e2);
    }
  }
}

/** c + a·b, fused where the relaxed build runs on a machine with FMA. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline function start4(init: i32, at: i32, b: i32): v128 {
  return init == 2 ? v128.load(f(at)) : init == 1 ? v128.load(f(b)) : f32x4.splat(0);
}

/**
 * 4 rows × 8 columns (`wide`) or 4 × 4 of C over kn values of k: P rows at a + r·pm (step pk), Q
 * at qb (step qs); one f32x4 accumulator per row and 4 columns. Inlined into tile4x8 and tile4x4
 * with `wide` a constant, so each is compiled with the other width's code folded away.
 */
// @ts-ignore: decorator
@inline function tile4(wide: bool, a: i32, pm: i32, pk: i32, qb: i32, qs: i32, at: i32, N: i32, kn: i32, init: i32, b: i32): void {
  const zero = f32x4.splat(0);
  let c00 = start4(init, at, b), c01 = wide ? start4(init, at + 4, b + 4) : zero;
  let c10 = start4(init, at + N, b), c11 = wide ? start4(init, at + N + 4, b + 4) : zero;
  let c20 = start4(init, at + 2 * N, b), c21 = wide ? start4(init, at + 2 * N + 4, b + 4) : zero;
  let c30 = start4(init, at + 3 * N, b), c31 = wide ? start4(init, at + 3 * N + 4, b + 4) : zero;
  let pa = f(a);
  let pq = f(qb);
  const dm = f(pm);
  const dk = f(pk);
  const dq = f(qs);
  for (let k = 0; k < kn; k++) {
    const b0 = v128.load(pq);
    const b1 = wide ? v128.load(pq, 16) : zero;
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + dm);
    const a2 = v128.load32_splat(pa + 2 * dm);
    const a3 = v128.load32_splat(pa + 3 * dm);
    c00 = madd(a0, b0, c00);
    if (wide) c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    if (wide) c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    if (wide) c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    if (wide) c31 = madd(a3, b1, c31);
    pa += dk;
    pq += dq;
  }
  const o = f(at);
  const r = f(N);
  v128.store(o, c00);
  if (wide) v128.store(o, c01, 16);
  v128.store(o + r, c10);
  if (wide) v128.store(o + r, c11, 16);
  v128.store(o + 2 * r, c20);
  if (wide) v128.store(o + 2 * r, c21, 16);
  v128.store(o + 3 * r, c30);
  if (wide) v128.store(o + 3 * r, c31, 16);
}

function tile4x8(a: i32, pm: i32, pk: i32, qb: i32, qs: i32, at: i32, N: i32, kn: i32, init: i32, b: i32): void {
  tile4(true, a, pm, pk, qb, qs, at, N, kn, init, b);
}

function tile4x4(a: i32, pm: i32, pk: i32, qb: i32, qs: i32, at: i32, N: i32, kn: i32, init: i32, b: i32): void {
  tile4(false, a, pm, pk, qb, qs, at, N, kn, init, b);
}

/** 1 row × 4 columns. */
function tile1x4(a: i32, pk: i32, qb: i32, qs: i32, at: i32, kn: i32, init: i32, b: i32): void {
  let c0 = start4(init, at, b);
  let pa = f(a);
  let pq = f(qb);
  const dk = f(pk);
  const dq = f(qs);
  for (let k = 0; k < kn; k++) {
    c0 = madd(v128.load32_splat(pa), v128.load(pq), c0);
    pa += dk;
    pq += dq;
  }
  v128.store(f(at), c0);
}

/** One cell: the same float32 operations, in the same order, as one lane of a tile. */
function cell(a: i32, pk: i32, qb: i32, qs: i32, at: i32, kn: i32, init: i32, b: i32): void {
  let s: f32 = init == 2 ? load<f32>(f(at)) : init == 1 ? load<f32>(f(b)) : 0;
  let pa = f(a);
  let pq = f(qb);
  const dk = f(pk);
  const dq = f(qs);
  for (let k = 0; k < kn; k++) {
    s += load<f32>(pa) * load<f32>(pq);
    pa += dk;
    pq += dq;
  }
  store<f32>(f(at), s);
}
