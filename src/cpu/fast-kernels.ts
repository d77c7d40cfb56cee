/**
 * The fast CPU trainer's inner loops, shared by the main thread and every worker.
 *
 * Every function here is self-contained: it reads nothing from module scope (no imports,
 * no module constants, only literals and the other functions of `WORKER_FUNCTIONS`). That
 * is what lets Node build its worker from their source text (`Function.prototype.toString`,
 * see fast-pool.ts), the same text whether it runs from TypeScript under vitest or from
 * the Vite-built CLI bundle. The browser worker (fast-worker.ts) imports them normally.
 *
 * All tensors live in one Float32Array `h` (the heap, a SharedArrayBuffer when workers
 * are used) and are addressed by float offsets. Arithmetic is float64 (what JS does with
 * numbers); every store rounds to float32. Each output element is summed by one thread in
 * the same k order whatever the thread split, so results do not depend on the worker count.
 */

/**
 * C[m, n] = init + Σ_k P(m, k) · Q(k, n) for rows m in [m0, m1) and all n in [0, N), with
 *   P(m, k) = h[p + m·pm + k·pk]   Q(k, n) = h[q + k·qk + n·qn]   C row-major [·, N] at c.
 * The strides make the three products of a training step transposes by index, no copies:
 *   A·W    P = A [M,K] (pm = K, pk = 1)      Q = W [K,N] (qk = N, qn = 1)
 *   Aᵀ·dZ  P = A [B,M] (pm = 1, pk = M)      Q = dZ [B,N] (qk = N, qn = 1)
 *   dZ·Wᵀ  P = dZ [M,K] (pm = K, pk = 1)     Q = W [N,K] (qk = 1, qn = K)
 * init is the bias row h[bias + n] when bias ≥ 0, else 0 (the reference's `s = b[j]` order).
 * Blocking: k in blocks of kc (the Q panel of one block stays in L1/L2 while every row tile
 * of the thread sweeps it), n in blocks of nc; inside, 4×4 register tiles (16 accumulators
 * summed in float64 registers, 8 loads per 16 multiply-adds). Partial sums cross k-block
 * boundaries through C (rounded to f32 there): block edges sit at multiples of kc from 0,
 * independent of the thread split. Epilogue (`mode`) runs on each tile as its last k block
 * is stored: 1 tanh / 2 relu forward (A = act(Z) written at e1), 3 tanh' / 4 relu' backward
 * (C ⊙= 1 − A² with A at e2, or [Z > 0] with Z at e1): see `epilogue`.
 */
export function matmulRows(
  h: Float32Array,
  p: number,
  pm: number,
  pk: number,
  q: number,
  qk: number,
  qn: number,
  c: number,
  N: number,
  K: number,
  m0: number,
  m1: number,
  bias: number,
  mode: number,
  e1: number,
  e2: number,
  kc: number,
  nc: number,
): void {
  if (m1 <= m0) return;
  const m4 = m0 + ((m1 - m0) & ~3);
  const pm2 = 2 * pm;
  const pm3 = 3 * pm;
  const qn2 = 2 * qn;
  const qn3 = 3 * qn;
  for (let k0 = 0; k0 < K; k0 += kc) {
    const k1 = Math.min(K, k0 + kc);
    const first = k0 === 0;
    const last = k1 === K;
    for (let nb = 0; nb < N; nb += nc) {
      const nbEnd = Math.min(N, nb + nc);
      for (let m = m0; m < m4; m += 4) {
        const r0 = c + m * N;
        const r1 = r0 + N;
        const r2 = r1 + N;
        const r3 = r2 + N;
        let n = nb;
        for (; n + 4 <= nbEnd; n += 4) {
          let c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
          if (!first) {
            c00 = h[r0 + n]; c01 = h[r0 + n + 1]; c02 = h[r0 + n + 2]; c03 = h[r0 + n + 3];
            c10 = h[r1 + n]; c11 = h[r1 + n + 1]; c12 = h[r1 + n + 2]; c13 = h[r1 + n + 3];
            c20 = h[r2 + n]; c21 = h[r2 + n + 1]; c22 = h[r2 + n + 2]; c23 = h[r2 + n + 3];
            c30 = h[r3 + n]; c31 = h[r3 + n + 1]; c32 = h[r3 + n + 2]; c33 = h[r3 + n + 3];
          } else if (bias >= 0) {
            c00 = c10 = c20 = c30 = h[bias + n];
            c01 = c11 = c21 = c31 = h[bias + n + 1];
            c02 = c12 = c22 = c32 = h[bias + n + 2];
            c03 = c13 = c23 = c33 = h[bias + n + 3];
          } else {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = 0;
            c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = 0;
          }
          let pi = p + m * pm + k0 * pk;
          let qi = q + k0 * qk + n * qn;
          for (let k = k0; k < k1; k++) {
            const a0 = h[pi];
            const a1 = h[pi + pm];
            const a2 = h[pi + pm2];
            const a3 = h[pi + pm3];
            const b0 = h[qi];
            const b1 = h[qi + qn];
            const b2 = h[qi + qn2];
            const b3 = h[qi + qn3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            pi += pk;
            qi += qk;
          }
          h[r0 + n] = c00; h[r0 + n + 1] = c01; h[r0 + n + 2] = c02; h[r0 + n + 3] = c03;
          h[r1 + n] = c10; h[r1 + n + 1] = c11; h[r1 + n + 2] = c12; h[r1 + n + 3] = c13;
          h[r2 + n] = c20; h[r2 + n + 1] = c21; h[r2 + n + 2] = c22; h[r2 + n + 3] = c23;
          h[r3 + n] = c30; h[r3 + n + 1] = c31; h[r3 + n + 2] = c32; h[r3 + n + 3] = c33;
          if (last && mode !== 0) epilogue(h, c, N, m, m + 4, n, n + 4, mode, e1, e2);
        }
        // Columns left over at the right edge (N not a multiple of 4): one cell at a time.
        for (; n < nbEnd; n++)
          for (let mm = m; mm < m + 4; mm++)
            matmulCell(h, p, pm, pk, q, qk, qn, c, N, mm, n, k0, k1, first ? bias : -2, last ? mode : 0, e1, e2);
      }
      // Rows left over at the bottom of this thread's range (fewer than 4).
      for (let m = m4; m < m1; m++)
        for (let n = nb; n < nbEnd; n++)
          matmulCell(h, p, pm, pk, q, qk, qn, c, N, m, n, k0, k1, first ? bias : -2, last ? mode : 0, e1, e2);
    }
  }
}

/**
 * One output cell over one k block, the edge path of `matmulRows`; same summation order as
 * the tiles. init: bias ≥ 0 the bias, −1 zero, −2 the partial sum already in C.
 */
export function matmulCell(
  h: Float32Array,
  p: number,
  pm: number,
  pk: number,
  q: number,
  qk: number,
  qn: number,
  c: number,
  N: number,
  m: number,
  n: number,
  k0: number,
  k1: number,
  init: number,
  mode: number,
  e1: number,
  e2: number,
): void {
  const at = c + m * N + n;
  let s = init === -2 ? h[at] : init >= 0 ? h[init + n] : 0;
  let pi = p + m * pm + k0 * pk;
  let qi = q + k0 * qk + n * qn;
  for (let k = k0; k < k1; k++) {
    s += h[pi] * h[qi];
    pi += pk;
    qi += qk;
  }
  h[at] = s;
  if (mode !== 0) epilogue(h, c, N, m, m + 1, n, n + 1, mode, e1, e2);
}

/**
 * The fused epilogue on a block of C just finished (rows [ma, mb), columns [na, nb)),
 * read back from L1. Forward: A = tanh(Z) or max(0, Z) into e1 (same layout as C).
 * Backward: dZ = dA ⊙ act'(Z_prev) in place, act' as the reference writes it
 * (tanh' = 1 − A² with A at e2, relu' = [Z > 0] with Z at e1).
 */
export function epilogue(
  h: Float32Array,
  c: number,
  N: number,
  ma: number,
  mb: number,
  na: number,
  nb: number,
  mode: number,
  e1: number,
  e2: number,
): void {
  for (let m = ma; m < mb; m++) {
    const row = m * N;
    for (let n = na; n < nb; n++) {
      const i = row + n;
      const v = h[c + i];
      if (mode === 1) h[e1 + i] = Math.tanh(v);
      else if (mode === 2) h[e1 + i] = Math.max(0, v);
      else if (mode === 3) {
        const a = h[e2 + i];
        h[c + i] = v * (1 - a * a);
      } else if (mode === 4) h[c + i] = v * (h[e1 + i] > 0 ? 1 : 0);
    }
  }
}

/** out[n] = Σ_r src[r, n] for n in [n0, n1) (db = Σ_b dZ), rows summed in order. */
export function columnSums(h: Float32Array, src: number, rows: number, N: number, out: number, n0: number, n1: number): void {
  for (let n = n0; n < n1; n++) h[out + n] = 0;
  for (let r = 0; r < rows; r++) {
    const row = src + r * N;
    for (let n = n0; n < n1; n++) h[out + n] += h[row + n];
  }
}

/**
 * One step of an update rule over elements [i0, i1) of a parameter buffer, RULES.md
 * exactly, in the same operation order as applyUpdate (src/model/update-rules.ts):
 * `lambda` is λ for a coupled (L2) regularized buffer else 0, `keep` is 1 − α for a
 * decoupled (decay) regularized buffer else 1. opt: 0 SGD, 1 momentum (v at s1),
 * 2 Adam (m at s1, s at s2; c1 = 1 − β1^t, c2 = 1 − β2^t).
 */
export function updateRange(
  h: Float32Array,
  opt: number,
  w: number,
  g: number,
  s1: number,
  s2: number,
  i0: number,
  i1: number,
  lr: number,
  lambda: number,
  keep: number,
  mu: number,
  beta1: number,
  beta2: number,
  eps: number,
  c1: number,
  c2: number,
): void {
  if (opt === 0) {
    for (let i = i0; i < i1; i++) {
      const wi = h[w + i];
      h[w + i] = keep * wi - lr * (h[g + i] + lambda * wi);
    }
  } else if (opt === 1) {
    for (let i = i0; i < i1; i++) {
      const wi = h[w + i];
      // v is re-read after its f32 store, as applyUpdate re-reads v[i] from its array.
      h[s1 + i] = mu * h[s1 + i] + (h[g + i] + lambda * wi);
      h[w + i] = keep * wi - lr * h[s1 + i];
    }
  } else {
    const oneMinusB1 = 1 - beta1;
    const oneMinusB2 = 1 - beta2;
    for (let i = i0; i < i1; i++) {
      const wi = h[w + i];
      const gi = h[g + i] + lambda * wi;
      h[s1 + i] = beta1 * h[s1 + i] + oneMinusB1 * gi;
      h[s2 + i] = beta2 * h[s2 + i] + oneMinusB2 * gi * gi;
      const mHat = h[s1 + i] / c1;
      const sHat = h[s2 + i] / c2;
      h[w + i] = keep * wi - (lr * mHat) / (Math.sqrt(sHat) + eps);
    }
  }
}

/** This thread's share [a, b) of [0, n) among `threads`, cut at multiples of `align`. */
export function shareOf(n: number, index: number, threads: number, align: number): number {
  const chunks = Math.ceil(n / align);
  return Math.min(n, Math.floor((chunks * index) / threads) * align);
}

/**
 * Runs this thread's share of the job described in the control block. Layout (Int32 view
 * `ci`; Float64 view `cf` over the same buffer from byte 512): ci[3] = task count; task t
 * at ci[8 + 20t …], its float arguments at cf[10t …]. Kinds (ci[8 + 20t]):
 *   1 matmul:  p pm pk q qk qn c N K M bias mode e1 e2 kc nc   (rows split)
 *   2 colsum:  src rows N out                                  (columns split)
 *   3 update:  opt w g s1 s2 n        cf: lr λ keep μ β1 β2 ε c1 c2   (elements split)
 * fast-pool.ts writes the same layout (its CTL constants); keep the two in step.
 */
export function runJob(h: Float32Array, ci: Int32Array, cf: Float64Array, index: number, threads: number): void {
  const tasks = ci[3];
  for (let t = 0; t < tasks; t++) {
    const o = 8 + 20 * t;
    const kind = ci[o];
    if (kind === 1) {
      const M = ci[o + 10];
      // Rows cut at multiples of 4 so every thread's tiles are full ones.
      const m0 = shareOf(M, index, threads, 4);
      const m1 = shareOf(M, index + 1, threads, 4);
      matmulRows(h, ci[o + 1], ci[o + 2], ci[o + 3], ci[o + 4], ci[o + 5], ci[o + 6], ci[o + 7], ci[o + 8], ci[o + 9],
        m0, m1, ci[o + 11], ci[o + 12], ci[o + 13], ci[o + 14], ci[o + 15], ci[o + 16]);
    } else if (kind === 2) {
      const N = ci[o + 3];
      // 16-column cuts: one cache line per thread boundary, no false sharing.
      columnSums(h, ci[o + 1], ci[o + 2], N, ci[o + 4], shareOf(N, index, threads, 16), shareOf(N, index + 1, threads, 16));
    } else if (kind === 3) {
      const n = ci[o + 6];
      const f = 10 * t;
      updateRange(h, ci[o + 1], ci[o + 2], ci[o + 3], ci[o + 4], ci[o + 5],
        shareOf(n, index, threads, 16), shareOf(n, index + 1, threads, 16),
        cf[f], cf[f + 1], cf[f + 2], cf[f + 3], cf[f + 4], cf[f + 5], cf[f + 6], cf[f + 7], cf[f + 8]);
    }
  }
}

/**
 * A worker's life: sleep until the generation counter ci[0] moves, run its share, count
 * itself done in ci[1] (the last one wakes the main thread). ci[3] < 0 means quit. An
 * exception sets ci[2] and still counts as done, so the main thread never waits forever
 * and rethrows instead. A short spin before sleeping: a step posts a job every few
 * milliseconds and waking from Atomics.wait costs tens of microseconds.
 */
export function workerLoop(heap: ArrayBufferLike, ctl: ArrayBufferLike, index: number, threads: number): void {
  const h = new Float32Array(heap);
  const ci = new Int32Array(ctl);
  const cf = new Float64Array(ctl, 512);
  let gen = 0; // the control block is fresh when workers start; reading it here could miss a first job
  for (;;) {
    for (let spin = 0; spin < 2000 && Atomics.load(ci, 0) === gen; spin++);
    Atomics.wait(ci, 0, gen);
    gen = Atomics.load(ci, 0);
    if (ci[3] < 0) return;
    try {
      runJob(h, ci, cf, index, threads);
    } catch (e) {
      Atomics.store(ci, 2, 1);
    }
    if (Atomics.add(ci, 1, 1) === threads - 2) Atomics.notify(ci, 1);
  }
}

/** What a worker needs, in dependency order; fast-pool.ts turns them into the Node worker's source. */
export const WORKER_FUNCTIONS = [matmulRows, matmulCell, epilogue, columnSums, updateRange, shareOf, runJob, workerLoop];
