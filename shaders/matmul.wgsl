// Matrix products of one MLP layer: C[M×N] = op(A)[M×K] · op(B)[K×N], then a fused epilogue.
// The three products of a layer are this one kernel under different override constants:
//   forward  A_l      = act(A_{l-1} · W_l + b_l)             TRANS_A=false TRANS_B=false EPILOGUE=1
//   dW       dW_l     = A_{l-1}ᵀ · dZ_l                      TRANS_A=true  TRANS_B=false EPILOGUE=0
//            db_l     = Σ_rows dZ_l (BIAS_GRAD: the column sums of op(B), by the invocations of
//                       output row 0, from the values they load anyway: no pass of its own)
//   dA       dZ_{l-1} = (dZ_l · W_lᵀ) ⊙ act'(A_{l-1})        TRANS_A=false TRANS_B=true  EPILOGUE=2
// Transposes are index math, never copies: with TRANS_A, op(A)[m,k] is A[k·M + m].
//
// Four entry points, same bindings, same results up to summation order; one shader module made of
// this file (overrides, bindings, helpers, matmul_naive) and the others (src/gpu/kernels.ts):
//   matmul_blocked  (matmul-blocked.wgsl) register blocking, 4×4 outputs per invocation (4×8 with
//                   WIDE), no workgroup memory, no barriers, clamped loads so the k loop has no edge branch
//   matmul_subgroup (matmul-subgroup.wgsl, a module of its own: it needs `subgroups`) matmul_blocked's
//                   blocks with op(B) loaded once per subgroup of 4 and broadcast; bitwise its sums
//   matmul_tiled    (matmul-tiled.wgsl) 4×4 blocking fed from 64×16 / 16×64 tiles in workgroup memory
//   matmul_naive    (below) one invocation per output (the baseline the benchmark compares with)
// Edges are masked (zero-filled or clamped loads, guarded stores), so any M, N, K ≥ 1 works.
// Row tiles beyond maxComputeWorkgroupsPerDimension fold into the z dimension of the dispatch.
//
// A grid of MODELS models of one shape (src/gpu/grid-trainer.ts) runs as one dispatch: z is
// MODELS × the row-tile folds, model = z / folds, and each operand of model g starts at
// g × its *_STRIDE floats (a multiple of 4, so vec4 alignment holds; 0 for an operand the models
// share, such as the batch). MODELS = 1 (the default) compiles to the single-model kernel.
//
// The shape is three override constants, not a uniform: a run's shapes are fixed, so each product
// gets a pipeline compiled for its own M, N, K (docs/BENCHMARKS.md, "Shapes as constants"). Loop
// bounds, edge tests and alignment checks are then compile-time facts the compiler folds away.
override M: u32;
override N: u32;
override K: u32;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
// 0: C as is; 1: act(C + bias[n]) (forward); 2: C · act'(aux) (dA, giving dZ of the layer below).
override EPILOGUE: u32 = 0u;
// 0: identity, 1: tanh, 2: relu.
override ACT: u32 = 0u;
// Also write the column sums of op(B) to bias_grad (the bias gradient, with the dW product).
override BIAS_GRAD: bool = false;
// matmul_blocked: 4 × 8 outputs per invocation instead of 4 × 4 (two blocks side by side).
override WIDE: bool = false;
// matmul_blocked and matmul_subgroup: 8 rows per invocation instead of 4 (two blocks one above the
// other, on the same op(B) loads).
override TALL: bool = false;
// Models per dispatch and each operand's per-model stride in floats: A, B, C (out and aux, both
// [M, N]), V (bias and bias_grad, both [N]).
override MODELS: u32 = 1u;
override A_STRIDE: u32 = 0u;
override B_STRIDE: u32 = 0u;
override C_STRIDE: u32 = 0u;
override V_STRIDE: u32 = 0u;
// Workgroup shape of matmul_blocked and matmul_naive (matmul_tiled is fixed at 16×16).
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;

// A: op(A) is [M, K]; stored row-major [M, K], or [K, M] when TRANS_A. Typed vec4 (buffers are
// padded to 16 bytes) so 4 consecutive floats load at once where the row length is a multiple of 4.
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
// B: op(B) is [K, N]; stored row-major [K, N], or [N, K] when TRANS_B. vec4-typed like A.
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
// bias: [N], added before the activation (EPILOGUE 1 only; any buffer otherwise).
@group(0) @binding(2) var<storage, read> bias: array<f32>;
// aux: [M, N] row-major, the activations A_{l-1} whose derivative multiplies dA (EPILOGUE 2 only).
// act' is read from A alone: tanh' = 1 − A², relu' = [Z > 0] = [A > 0].
@group(0) @binding(3) var<storage, read> aux: array<f32>;
// out: [M, N] row-major, C after the epilogue. vec4-typed (padded to 16 bytes) so a row of a block
// is one 16-byte store where N is a multiple of 4; elsewhere one float at a time.
@group(0) @binding(4) var<storage, read_write> out: array<vec4<f32>>;
// bias_grad: [N], Σ_k op(B)[k, n] (BIAS_GRAD only; any other writable buffer otherwise).
@group(0) @binding(5) var<storage, read_write> bias_grad: array<f32>;

// Where this invocation's model starts in each operand (0 for a single model), set by set_model.
var<private> a_base: u32;
var<private> b_base: u32;
var<private> c_base: u32;
var<private> v_base: u32;

// The row tile of a workgroup (folded over y and z) and, for a grid, its model's offsets.
fn row_tile(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  if (MODELS == 1u) { return wid.y + wid.z * nwg.y; }
  let folds = nwg.z / MODELS;
  let model = wid.z / folds;
  a_base = model * A_STRIDE;
  b_base = model * B_STRIDE;
  c_base = model * C_STRIDE;
  v_base = model * V_STRIDE;
  return wid.y + (wid.z % folds) * nwg.y;
}

// Operand loads by float index within the model: one vec4 (i a multiple of 4) or one float.
fn va(i: u32) -> vec4<f32> { return a[(a_base + i) >> 2u]; }
fn vb(i: u32) -> vec4<f32> { return b[(b_base + i) >> 2u]; }
fn sa(i: u32) -> f32 { let j = a_base + i; return a[j >> 2u][j & 3u]; }
fn sb(i: u32) -> f32 { let j = b_base + i; return b[j >> 2u][j & 3u]; }

// tanh through exp(−2|x|) ∈ (0, 1]: never overflows (the builtin is sinh/cosh on some drivers and
// returns NaN for large |x|); absolute error ≈ 2⁻²³, which is what the matmul that follows sees.
fn tanh_stable(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

fn act(v: f32) -> f32 {
  if (ACT == 1u) { return tanh_stable(v); }
  if (ACT == 2u) { return max(v, 0.0); }
  return v;
}

fn act_grad_from_output(y: f32) -> f32 {
  if (ACT == 1u) { return 1.0 - y * y; }
  if (ACT == 2u) { return select(0.0, 1.0, y > 0.0); }
  return 1.0;
}

// C[m, n] = v after the epilogue, for the flat index idx = c_base + m·N + n.
fn epilogue(idx: u32, n: u32, v: f32) -> f32 {
  if (EPILOGUE == 1u) { return act(v + bias[v_base + n]); }
  if (EPILOGUE == 2u) { return v * act_grad_from_output(aux[idx]); }
  return v;
}

fn finish(m: u32, n: u32, v: f32) {
  let idx = c_base + m * N + n;
  out[idx >> 2u][idx & 3u] = epilogue(idx, n, v);
}

// One output row of a 4×4 block: columns n0 … n0 + 3 that lie below N (n0 < N is known).
// Straight-line, like every block helper below: a private vector or matrix indexed by a loop
// variable is stack memory on SwiftShader (its JIT does not unroll loops) and local memory on a
// discrete GPU; constant indices keep the block in registers (docs/BENCHMARKS.md, "Straight-line
// register blocks").
fn store_row(m: u32, n0: u32, v: vec4<f32>) {
  if (m >= M) { return; }
  if ((N & 3u) == 0u) {
    // n0 is a multiple of 4 below N, so all four columns are real and idx is 16-byte aligned
    // (c_base is a multiple of 4).
    let idx = c_base + m * N + n0;
    out[idx >> 2u] = vec4(epilogue(idx, n0, v.x), epilogue(idx + 1u, n0 + 1u, v.y), epilogue(idx + 2u, n0 + 2u, v.z), epilogue(idx + 3u, n0 + 3u, v.w));
    return;
  }
  finish(m, n0, v.x);
  if (n0 + 1u < N) { finish(m, n0 + 1u, v.y); }
  if (n0 + 2u < N) { finish(m, n0 + 2u, v.z); }
  if (n0 + 3u < N) { finish(m, n0 + 3u, v.w); }
}

// The column sums of 4 columns from n0 < N, from the invocation that holds output row 0.
fn store_sums(m0: u32, n0: u32, sums: vec4<f32>) {
  if (!BIAS_GRAD || m0 != 0u) { return; }
  let i = v_base + n0;
  bias_grad[i] = sums.x;
  if (n0 + 1u < N) { bias_grad[i + 1u] = sums.y; }
  if (n0 + 2u < N) { bias_grad[i + 2u] = sums.z; }
  if (n0 + 3u < N) { bias_grad[i + 3u] = sums.w; }
}

// Four consecutive floats from flat index `base` (a multiple of 4), the first `count` of them
// real and the rest zero. One vec4 load when the row length keeps `base` 16-byte aligned.
fn masked4_a(base: u32, count: u32, aligned: bool) -> vec4<f32> {
  if (aligned && count == 4u) { return va(base); }
  if (count == 0u) { return vec4<f32>(0.0); }
  let last = base + count - 1u;
  let v = vec4(sa(base), sa(min(base + 1u, last)), sa(min(base + 2u, last)), sa(min(base + 3u, last)));
  return select(vec4<f32>(0.0), v, vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(count));
}
fn masked4_b(base: u32, count: u32, aligned: bool) -> vec4<f32> {
  if (aligned && count == 4u) { return vb(base); }
  if (count == 0u) { return vec4<f32>(0.0); }
  let last = base + count - 1u;
  let v = vec4(sb(base), sb(min(base + 1u, last)), sb(min(base + 2u, last)), sb(min(base + 3u, last)));
  return select(vec4<f32>(0.0), v, vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(count));
}

// How many of the 4 indices from i0 lie below n (0 when i0 ≥ n).
fn in_range(i0: u32, n: u32) -> u32 {
  return select(0u, min(4u, n - i0), i0 < n);
}

fn elem_a(m: u32, k: u32) -> f32 { return sa(select(m * K + k, k * M + m, TRANS_A)); }

fn elem_b(k: u32, n: u32) -> f32 { return sb(select(k * N + n, n * K + k, TRANS_B)); }

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_naive(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let n = wid.x * WG_X + lid.x;
  let m = row_tile(wid, nwg) * WG_Y + lid.y;
  if (m >= M || n >= N) { return; }
  var s = 0.0;
  var col_sum = 0.0;
  for (var k = 0u; k < K; k++) {
    let bk = elem_b(k, n);
    s = fma(elem_a(m, k), bk, s);
    if (BIAS_GRAD && m == 0u) { col_sum += bk; }
  }
  finish(m, n, s);
  if (BIAS_GRAD && m == 0u) { bias_grad[v_base + n] = col_sum; }
}
