// The per-step reductions and the update: db = Σ_b dZ, and one step of a rule on a parameter buffer.

import { f } from './memory';

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
