// Matrix products of one MLP layer: C[M×N] = op(A)[M×K] · op(B)[K×N], then a fused epilogue.
// The three products of a layer are this one kernel under different override constants:
//   forward  A_l      = act(A_{l-1} · W_l + b_l)             TRANS_A=false TRANS_B=false EPILOGUE=1
//   dW       dW_l     = A_{l-1}ᵀ · dZ_l                      TRANS_A=true  TRANS_B=false EPILOGUE=0
//            db_l     = Σ_rows dZ_l (BIAS_GRAD: the column sums of op(B), by the invocations of
//                       output row 0, from the values they load anyway: no pass of its own)
//   dA       dZ_{l-1} = (dZ_l · W_lᵀ) ⊙ act'(A_{l-1})        TRANS_A=false TRANS_B=true  EPILOGUE=2
// Transposes are index math, never copies: with TRANS_A, op(A)[m,k] is A[k·M + m].
//
// Three entry points, same bindings, same results up to summation order:
//   matmul_blocked  register blocking, 4×4 outputs per invocation, no workgroup memory, no barriers,
//                   clamped loads so the k loop has no edge branch
//   matmul_tiled    the same 4×4 blocking fed from 64×16 / 16×64 tiles in workgroup memory
//   matmul_naive    one invocation per output (the baseline the benchmark compares with)
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
// out: [M, N] row-major, C after the epilogue.
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
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

fn finish(m: u32, n: u32, v: f32) {
  let idx = c_base + m * N + n;
  if (EPILOGUE == 1u) {
    out[idx] = act(v + bias[v_base + n]);
  } else if (EPILOGUE == 2u) {
    out[idx] = v * act_grad_from_output(aux[idx]);
  } else {
    out[idx] = v;
  }
}

// Four consecutive floats from float index `base` (a multiple of 4), the first `count` of them
// real and the rest zero. One vec4 load when the row length keeps `base` 16-byte aligned.
fn load4_a(base: u32, count: u32, aligned: bool) -> vec4<f32> {
  if (aligned && count == 4u) { return va(base); }
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < count; e++) { v[e] = sa(base + e); }
  return v;
}

fn load4_b(base: u32, count: u32, aligned: bool) -> vec4<f32> {
  if (aligned && count == 4u) { return vb(base); }
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < count; e++) { v[e] = sb(base + e); }
  return v;
}

// How many of the 4 indices from i0 lie below n (0 when i0 ≥ n).
fn in_range(i0: u32, n: u32) -> u32 {
  return select(0u, min(4u, n - i0), i0 < n);
}

// The column sums of 4 columns from n0, from the invocation that holds output row 0.
fn store_bias_grad(m0: u32, n0: u32, sums: vec4<f32>) {
  if (!BIAS_GRAD || m0 != 0u) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (n0 + j < N) { bias_grad[v_base + n0 + j] = sums[j]; }
  }
}

fn store_block(m0: u32, n0: u32, acc: mat4x4<f32>) {
  for (var i = 0u; i < 4u; i++) {
    if (m0 + i >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < N) { finish(m0 + i, n0 + j, acc[i][j]); }
    }
  }
}

const TILE: u32 = 64u;  // outputs per workgroup side (16 invocations × 4)
const KT: u32 = 16u;    // k-depth of one tile step
// tile_a[k·16 + q] = op(A)[tile row 4q … 4q+3, k0 + k]; tile_b[k·16 + q] = op(B)[k0 + k, tile col 4q … 4q+3].
// 2 × 4 KiB: both read as whole vec4s in the inner loop (one per 16 multiply-adds).
var<workgroup> tile_a: array<vec4<f32>, 256>;
var<workgroup> tile_b: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn matmul_tiled(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let n_base = wid.x * TILE;
  let m_base = row_tile(wid, nwg) * TILE;
  var acc: mat4x4<f32>;
  var col_sums = vec4<f32>(0.0);
  let sums_row = BIAS_GRAD && m_base == 0u && lid.y == 0u;
  // Every invocation stays to the end (no early return): the barriers need the whole workgroup.
  for (var k0 = 0u; k0 < K; k0 += KT) {
    // Each invocation loads one vec4 of each tile, along the operand's contiguous direction.
    if (!TRANS_A) {
      let r = tid / 4u;            // tile row 0…63
      let c = (tid % 4u) * 4u;     // k offset 0, 4, 8, 12
      let m = m_base + r;
      let k = k0 + c;
      var v = vec4<f32>(0.0);
      if (m < M) { v = load4_a(m * K + k, in_range(k, K), (K & 3u) == 0u); }
      for (var e = 0u; e < 4u; e++) { tile_a[(c + e) * 16u + r / 4u][r % 4u] = v[e]; }
    } else {
      let kr = tid / 16u;          // k offset 0…15
      let q = tid % 16u;           // 4-row group
      let k = k0 + kr;
      let m = m_base + q * 4u;
      var v = vec4<f32>(0.0);
      if (k < K) { v = load4_a(k * M + m, in_range(m, M), (M & 3u) == 0u); }
      tile_a[kr * 16u + q] = v;
    }
    if (!TRANS_B) {
      let kr = tid / 16u;
      let q = tid % 16u;
      let k = k0 + kr;
      let n = n_base + q * 4u;
      var v = vec4<f32>(0.0);
      if (k < K) { v = load4_b(k * N + n, in_range(n, N), (N & 3u) == 0u); }
      tile_b[kr * 16u + q] = v;
    } else {
      let r = tid / 4u;
      let c = (tid % 4u) * 4u;
      let n = n_base + r;
      let k = k0 + c;
      var v = vec4<f32>(0.0);
      if (n < N) { v = load4_b(n * K + k, in_range(k, K), (K & 3u) == 0u); }
      for (var e = 0u; e < 4u; e++) { tile_b[(c + e) * 16u + r / 4u][r % 4u] = v[e]; }
    }
    workgroupBarrier();
    for (var k = 0u; k < KT; k++) {
      let av = tile_a[k * 16u + lid.y];
      let bv = tile_b[k * 16u + lid.x];
      acc[0] = fma(vec4<f32>(av.x), bv, acc[0]);
      acc[1] = fma(vec4<f32>(av.y), bv, acc[1]);
      acc[2] = fma(vec4<f32>(av.z), bv, acc[2]);
      acc[3] = fma(vec4<f32>(av.w), bv, acc[3]);
      if (sums_row) { col_sums += bv; }
    }
    workgroupBarrier();
  }
  store_block(m_base + lid.y * 4u, n_base + lid.x * 4u, acc);
  store_bias_grad(m_base + lid.y * 4u, n_base + lid.x * 4u, col_sums);
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

// ---- matmul_blocked: register blocking with no branch in the k loop ----
// op(A)[clamp(m0 + i), k0 … k0 + 3] for a full quad k0 + 3 < K. Rows past M are clamped to
// M − 1: their values are never stored, and the loads need no branch.
fn quad_a(m0: u32, k0: u32) -> mat4x4<f32> {
  var r: mat4x4<f32>;
  if (!TRANS_A) {
    for (var i = 0u; i < 4u; i++) {
      let base = min(m0 + i, M - 1u) * K + k0;
      if ((K & 3u) == 0u) { r[i] = va(base); } else { r[i] = vec4(sa(base), sa(base + 1u), sa(base + 2u), sa(base + 3u)); }
    }
    return r;
  }
  for (var kk = 0u; kk < 4u; kk++) {
    let row = (k0 + kk) * M;
    if ((M & 3u) == 0u) { r[kk] = va(row + m0); } else {
      r[kk] = vec4(sa(row + min(m0, M - 1u)), sa(row + min(m0 + 1u, M - 1u)), sa(row + min(m0 + 2u, M - 1u)), sa(row + min(m0 + 3u, M - 1u)));
    }
  }
  return transpose(r);
}

// op(B)[k0 + kk, clamp(n0 + j)] for a full quad k0 + 3 < K.
fn quad_b(k0: u32, n0: u32) -> mat4x4<f32> {
  var r: mat4x4<f32>;
  if (!TRANS_B) {
    for (var kk = 0u; kk < 4u; kk++) {
      let row = (k0 + kk) * N;
      if ((N & 3u) == 0u) { r[kk] = vb(row + n0); } else {
        r[kk] = vec4(sb(row + min(n0, N - 1u)), sb(row + min(n0 + 1u, N - 1u)), sb(row + min(n0 + 2u, N - 1u)), sb(row + min(n0 + 3u, N - 1u)));
      }
    }
    return r;
  }
  for (var j = 0u; j < 4u; j++) {
    let base = min(n0 + j, N - 1u) * K + k0;
    if ((K & 3u) == 0u) { r[j] = vb(base); } else { r[j] = vec4(sb(base), sb(base + 1u), sb(base + 2u), sb(base + 3u)); }
  }
  return transpose(r);
}

fn op_a(m: u32, k: u32) -> f32 { return sa(select(min(m, M - 1u) * K + k, k * M + min(m, M - 1u), TRANS_A)); }
fn op_b(k: u32, n: u32) -> f32 { return sb(select(k * N + min(n, N - 1u), min(n, N - 1u) * K + k, TRANS_B)); }

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_blocked(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let n0 = (wid.x * WG_X + lid.x) * 4u;
  let m0 = (row_tile(wid, nwg) * WG_Y + lid.y) * 4u;
  if (m0 >= M || n0 >= N) { return; }
  var acc: mat4x4<f32>;
  var col_sums = vec4<f32>(0.0);
  let sums_row = BIAS_GRAD && m0 == 0u;
  // Full quads of k: no edge test inside (K is a constant, so the bound is too).
  for (var k0 = 0u; k0 + 4u <= K; k0 += 4u) {
    let ra = quad_a(m0, k0);
    let rb = quad_b(k0, n0);
    acc[0] += rb * ra[0];
    acc[1] += rb * ra[1];
    acc[2] += rb * ra[2];
    acc[3] += rb * ra[3];
    if (sums_row) { col_sums += rb[0] + rb[1] + rb[2] + rb[3]; }
  }
  // The last K mod 4 values of k, one at a time (compiled out when 4 divides K).
  for (var k = K & ~3u; k < K; k++) {
    let bv = vec4(op_b(k, n0), op_b(k, n0 + 1u), op_b(k, n0 + 2u), op_b(k, n0 + 3u));
    acc[0] += op_a(m0, k) * bv;
    acc[1] += op_a(m0 + 1u, k) * bv;
    acc[2] += op_a(m0 + 2u, k) * bv;
    acc[3] += op_a(m0 + 3u, k) * bv;
    if (sums_row) { col_sums += bv; }
  }
  store_block(m0, n0, acc);
  store_bias_grad(m0, n0, col_sums);
}
