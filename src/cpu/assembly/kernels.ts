// The CPU trainer's kernels in WebAssembly SIMD (f32x4), written in AssemblyScript and built
// by scripts/build-wasm.mjs (`npm run build:wasm`). Every thread runs this same module on one
// shared WebAssembly.Memory; src/cpu/wasm-pool.ts is the JavaScript side.
//
// Addresses: every tensor argument is a float index into the memory (byte address / 4), the
// layout src/cpu/fast.ts plans. Arithmetic is float32. The products' tiles multiply-add with
// `madd`: built twice, as plain SIMD (multiply, then add, each rounded) and with relaxed SIMD
// (f32x4.relaxed_madd: a fused multiply-add where the machine has one, which doubles the
// arithmetic per instruction); wasm-kernels.ts takes the relaxed build where the engine
// validates it. Either way a product's output element is init + Σ_k P(m,k)·Q(k,n), summed in k
// order by one thread with the same instructions whatever the block or thread split (an
// element's tile depends on its position only), so every thread count gives bitwise the same
// numbers on a machine.

// ---- The control block (see CTL in wasm-pool.ts, which writes it) ----
const GEN: usize = 0; // generation counter: bumped once per job
const DONE: usize = 4; // workers done with the current job
const ERROR: usize = 8; // set when a worker failed
const TASKS: usize = 12; // tasks in the job; < 0 tells workers to return
const TASK0: usize = 32; // task t's ints at TASK0 + 80·t (kind, then up to 19 arguments)
const TASK_BYTES: usize = 80;
const FLOAT0: usize = 512; // task t's float64 arguments at FLOAT0 + 96·t
const FLOAT_BYTES: usize = 96;

const MATMUL = 1;
const COLSUM = 2;
const UPDATE = 3;

// Epilogue modes of a product, run on each block of C after its last k block.
const TANH = 1; // A = tanh(Z) into e1
const RELU = 2; // A = max(0, Z) into e1
const TANH_BACK = 3; // C ⊙= 1 − A², A at e2
const RELU_BACK = 4; // C ⊙= [Z > 0], Z at e1

// @ts-ignore: decorator
@inline function f(i: i32): usize {
  return (<usize>i) << 2;
}

// ---- Products ----

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

/** 4 rows × 8 columns of C over kn values of k: P rows at a + r·pm (step pk), Q at qb (step qs). */
function tile4x8(a: i32, pm: i32, pk: i32, qb: i32, qs: i32, at: i32, N: i32, kn: i32, init: i32, b: i32): void {
  let c00 = start4(init, at, b), c01 = start4(init, at + 4, b + 4);
  let c10 = start4(init, at + N, b), c11 = start4(init, at + N + 4, b + 4);
  let c20 = start4(init, at + 2 * N, b), c21 = start4(init, at + 2 * N + 4, b + 4);
  let c30 = start4(init, at + 3 * N, b), c31 = start4(init, at + 3 * N + 4, b + 4);
  let pa = f(a);
  let pq = f(qb);
  const dm = f(pm);
  const dk = f(pk);
  const dq = f(qs);
  for (let k = 0; k < kn; k++) {
    const b0 = v128.load(pq);
    const b1 = v128.load(pq, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + dm);
    const a2 = v128.load32_splat(pa + 2 * dm);
    const a3 = v128.load32_splat(pa + 3 * dm);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += dk;
    pq += dq;
  }
  const o = f(at);
  const r = f(N);
  v128.store(o, c00);
  v128.store(o, c01, 16);
  v128.store(o + r, c10);
  v128.store(o + r, c11, 16);
  v128.store(o + 2 * r, c20);
  v128.store(o + 2 * r, c21, 16);
  v128.store(o + 3 * r, c30);
  v128.store(o + 3 * r, c31, 16);
}

/** 4 rows × 4 columns, as tile4x8. */
function tile4x4(a: i32, pm: i32, pk: i32, qb: i32, qs: i32, at: i32, N: i32, kn: i32, init: i32, b: i32): void {
  let c0 = start4(init, at, b);
  let c1 = start4(init, at + N, b);
  let c2 = start4(init, at + 2 * N, b);
  let c3 = start4(init, at + 3 * N, b);
  let pa = f(a);
  let pq = f(qb);
  const dm = f(pm);
  const dk = f(pk);
  const dq = f(qs);
  for (let k = 0; k < kn; k++) {
    const b0 = v128.load(pq);
    c0 = madd(v128.load32_splat(pa), b0, c0);
    c1 = madd(v128.load32_splat(pa + dm), b0, c1);
    c2 = madd(v128.load32_splat(pa + 2 * dm), b0, c2);
    c3 = madd(v128.load32_splat(pa + 3 * dm), b0, c3);
    pa += dk;
    pq += dq;
  }
  const o = f(at);
  const r = f(N);
  v128.store(o, c0);
  v128.store(o + r, c1);
  v128.store(o + 2 * r, c2);
  v128.store(o + 3 * r, c3);
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

// ---- Epilogues ----

/** The fused epilogue on rows [ma, mb) × columns [na, nb) of C (row-major [·, N] at c), just written. */
function epilogue(c: i32, N: i32, ma: i32, mb: i32, na: i32, nb: i32, mode: i32, e1: i32, e2: i32): void {
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

// ---- Column sums (db = Σ_b dZ) ----

/** out[n] = Σ_r src[r, n] for n in [n0, n1), rows summed in order (f32). */
export function columnSums(src: i32, rows: i32, N: i32, out: i32, n0: i32, n1: i32): void {
  let n = n0;
  for (; n + 4 <= n1; n += 4) {
    let s = f32x4.splat(0);
    for (let r = 0; r < rows; r++) s = f32x4.add(s, v128.load(f(src + r * N + n)));
    v128.store(f(out + n), s);
  }
  for (; n < n1; n++) {
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(f(src + r * N + n));
    store<f32>(f(out + n), s);
  }
}

// ---- The update ----

/**
 * One step of a rule (docs/RULES.md) on elements [i0, i1) of a parameter buffer, in float32 as
 * the GPU's update.wgsl does it: `lambda` is λ for an L2-regularized buffer else 0, `alpha` is α
 * for a decay-regularized one else 0; the decay is written w − α·w (1 − α rounded to f32 would
 * shrink every weight by the same wrong factor each step). opt 0 SGD, 1 momentum (v at s1),
 * 2 Adam (m at s1, s at s2); omb1, omb2 = 1 − β1, 1 − β2 and c1, c2 = 1 − β^t come rounded once
 * from float64. The vector body and the scalar tail do the same operations in the same order.
 */
export function update(
  opt: i32, w: i32, g: i32, s1: i32, s2: i32, i0: i32, i1: i32,
  lr: f32, lambda: f32, alpha: f32, mu: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, c1: f32, c2: f32,
): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const wi = v128.load(f(w + i));
    const gi = f32x4.add(v128.load(f(g + i)), f32x4.mul(f32x4.splat(lambda), wi));
    const keep = f32x4.sub(wi, f32x4.mul(f32x4.splat(alpha), wi));
    let step: v128;
    if (opt == 0) step = gi;
    else if (opt == 1) {
      step = f32x4.add(f32x4.mul(f32x4.splat(mu), v128.load(f(s1 + i))), gi);
      v128.store(f(s1 + i), step);
    } else {
      const m = f32x4.add(f32x4.mul(f32x4.splat(beta1), v128.load(f(s1 + i))), f32x4.mul(f32x4.splat(omb1), gi));
      const s = f32x4.add(f32x4.mul(f32x4.splat(beta2), v128.load(f(s2 + i))), f32x4.mul(f32x4.mul(f32x4.splat(omb2), gi), gi));
      v128.store(f(s1 + i), m);
      v128.store(f(s2 + i), s);
      step = f32x4.div(f32x4.div(m, f32x4.splat(c1)), f32x4.add(f32x4.sqrt(f32x4.div(s, f32x4.splat(c2))), f32x4.splat(eps)));
    }
    v128.store(f(w + i), f32x4.sub(keep, f32x4.mul(f32x4.splat(lr), step)));
  }
  for (; i < i1; i++) {
    const wi = load<f32>(f(w + i));
    const gi = load<f32>(f(g + i)) + lambda * wi;
    const keep = wi - alpha * wi;
    let step: f32;
    if (opt == 0) step = gi;
    else if (opt == 1) {
      step = mu * load<f32>(f(s1 + i)) + gi;
      store<f32>(f(s1 + i), step);
    } else {
      const m = beta1 * load<f32>(f(s1 + i)) + omb1 * gi;
      const s = beta2 * load<f32>(f(s2 + i)) + omb2 * gi * gi;
      store<f32>(f(s1 + i), m);
      store<f32>(f(s2 + i), s);
      step = m / c1 / (Mathf.sqrt(s / c2) + eps);
    }
    store<f32>(f(w + i), keep - lr * step);
  }
}

// ---- Jobs and the worker loop ----

/** This thread's start in [0, n) among `threads`, cut at multiples of `align`. */
function shareOf(n: i32, index: i32, threads: i32, align: i32): i32 {
  const chunks = (n + align - 1) / align;
  return min(n, <i32>((<i64>chunks * index) / threads) * align);
}

/**
 * Runs this thread's share of every task in the job at `ctl`. Task kinds and arguments:
 *   1 matmul: p pm pk q qk qn c N K M bias mode e1 e2 kc nc pack   (rows split at multiples of 4;
 *             pack is the first thread's scratch, the others' follow at kc·nc floats apart)
 *   2 colsum: src rows N out                                        (columns split by 16)
 *   3 update: opt w g s1 s2 n; floats lr λ α μ β1 β2 1−β1 1−β2 ε c1 c2   (elements split by 16)
 * The cuts only choose which thread computes an element, never how.
 */
export function runJob(ctl: usize, index: i32, threads: i32): void {
  const tasks = load<i32>(ctl + TASKS);
  for (let t = 0; t < tasks; t++) {
    const o = ctl + TASK0 + TASK_BYTES * <usize>t;
    const x = ctl + FLOAT0 + FLOAT_BYTES * <usize>t;
    const kind = load<i32>(o);
    if (kind == MATMUL) {
      const M = load<i32>(o, 40);
      const kc = load<i32>(o, 60);
      const nc = load<i32>(o, 64);
      matmul(load<i32>(o, 4), load<i32>(o, 8), load<i32>(o, 12), load<i32>(o, 16), load<i32>(o, 20), load<i32>(o, 24),
        load<i32>(o, 28), load<i32>(o, 32), load<i32>(o, 36), shareOf(M, index, threads, 4), shareOf(M, index + 1, threads, 4),
        load<i32>(o, 44), load<i32>(o, 48), load<i32>(o, 52), load<i32>(o, 56), kc, nc, load<i32>(o, 68) + index * kc * nc);
    } else if (kind == COLSUM) {
      const N = load<i32>(o, 12);
      columnSums(load<i32>(o, 4), load<i32>(o, 8), N, load<i32>(o, 16), shareOf(N, index, threads, 16), shareOf(N, index + 1, threads, 16));
    } else if (kind == UPDATE) {
      const n = load<i32>(o, 24);
      update(load<i32>(o, 4), load<i32>(o, 8), load<i32>(o, 12), load<i32>(o, 16), load<i32>(o, 20),
        shareOf(n, index, threads, 16), shareOf(n, index + 1, threads, 16),
        <f32>load<f64>(x), <f32>load<f64>(x, 8), <f32>load<f64>(x, 16), <f32>load<f64>(x, 24), <f32>load<f64>(x, 32),
        <f32>load<f64>(x, 40), <f32>load<f64>(x, 48), <f32>load<f64>(x, 56), <f32>load<f64>(x, 64), <f32>load<f64>(x, 72),
        <f32>load<f64>(x, 80));
    }
  }
}

/**
 * A worker's life: sleep until the generation counter moves past `gen`, run its share, count
 * itself done (the last one wakes the coordinating thread); TASKS < 0 means return. A short
 * spin before sleeping: a step posts a job every few hundred microseconds and waking from a
 * wait costs tens. Returns the generation it last ran, so a JavaScript caller that caught a
 * trap can report it and come back in without missing or repeating a job.
 */
export function workerLoop(ctl: usize, index: i32, threads: i32, gen: i32): i32 {
  for (;;) {
    for (let spin = 0; spin < 4000 && atomic.load<i32>(ctl + GEN) == gen; spin++);
    // Sleep in slices of 1 s, re-reading the counter: a wake-up that went astray costs a
    // second, never a hang.
    while (atomic.load<i32>(ctl + GEN) == gen) memory.atomic.wait32(ctl + GEN, gen, 1_000_000_000);
    gen = atomic.load<i32>(ctl + GEN);
    if (atomic.load<i32>(ctl + TASKS) < 0) return gen;
    runJob(ctl, index, threads);
    if (atomic.add<i32>(ctl + DONE, 1) == threads - 2) atomic.notify(ctl + DONE);
  }
  return gen; // not reached
}
