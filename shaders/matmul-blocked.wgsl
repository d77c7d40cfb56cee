// matmul_blocked: the register-blocked entry point of shaders/matmul.wgsl's kernel family, with no
// workgroup memory and no branch in the k loop. Compiled as one module with matmul.wgsl (its
// overrides, bindings and helpers) and matmul-tiled.wgsl: src/gpu/kernels.ts joins the three.
// ---- matmul_blocked: register blocking with no branch in the k loop ----
// Straight-line like the helpers above (store_row).
// Four consecutive floats from flat index i: one vec4 load when the row length keeps i 16-byte aligned.
fn run4_a(i: u32, aligned: bool) -> vec4<f32> {
  if (aligned) { return va(i); }
  return vec4(sa(i), sa(i + 1u), sa(i + 2u), sa(i + 3u));
}
fn run4_b(i: u32, aligned: bool) -> vec4<f32> {
  if (aligned) { return vb(i); }
  return vec4(sb(i), sb(i + 1u), sb(i + 2u), sb(i + 3u));
}
// Four floats at row·stride + min(c0 + j, last), j = 0…3: a run of 4 whose tail is clamped into
// range (one vec4 load when aligned: then c0 + 3 ≤ last, as c0 is a multiple of 4 below last).
fn clamped4_a(row: u32, c0: u32, last: u32, aligned: bool) -> vec4<f32> {
  if (aligned) { return va(row + c0); }
  return vec4(sa(row + min(c0, last)), sa(row + min(c0 + 1u, last)), sa(row + min(c0 + 2u, last)), sa(row + min(c0 + 3u, last)));
}
fn clamped4_b(row: u32, c0: u32, last: u32, aligned: bool) -> vec4<f32> {
  if (aligned) { return vb(row + c0); }
  return vec4(sb(row + min(c0, last)), sb(row + min(c0 + 1u, last)), sb(row + min(c0 + 2u, last)), sb(row + min(c0 + 3u, last)));
}

// Column i of the result is op(A)[clamp(m0 + i), k0 … k0 + 3], for a full quad k0 + 3 < K. Rows
// past M are clamped to M − 1: their values are never stored, and the loads need no branch.
fn quad_a(m0: u32, k0: u32) -> mat4x4<f32> {
  if (!TRANS_A) {
    let al = (K & 3u) == 0u;
    let last = M - 1u;
    return mat4x4(run4_a(min(m0, last) * K + k0, al), run4_a(min(m0 + 1u, last) * K + k0, al), run4_a(min(m0 + 2u, last) * K + k0, al), run4_a(min(m0 + 3u, last) * K + k0, al));
  }
  let al = (M & 3u) == 0u;
  return transpose(mat4x4(clamped4_a(k0 * M, m0, M - 1u, al), clamped4_a((k0 + 1u) * M, m0, M - 1u, al), clamped4_a((k0 + 2u) * M, m0, M - 1u, al), clamped4_a((k0 + 3u) * M, m0, M - 1u, al)));
}

// Column kk of the result is op(B)[k0 + kk, clamp(n0 + j)], for a full quad k0 + 3 < K.
fn quad_b(k0: u32, n0: u32) -> mat4x4<f32> {
  if (!TRANS_B) {
    let al = (N & 3u) == 0u;
    return mat4x4(clamped4_b(k0 * N, n0, N - 1u, al), clamped4_b((k0 + 1u) * N, n0, N - 1u, al), clamped4_b((k0 + 2u) * N, n0, N - 1u, al), clamped4_b((k0 + 3u) * N, n0, N - 1u, al));
  }
  let al = (K & 3u) == 0u;
  let last = N - 1u;
  return transpose(mat4x4(run4_b(min(n0, last) * K + k0, al), run4_b(min(n0 + 1u, last) * K + k0, al), run4_b(min(n0 + 2u, last) * K + k0, al), run4_b(min(n0 + 3u, last) * K + k0, al)));
}

fn op_a(m: u32, k: u32) -> f32 { return sa(select(min(m, M - 1u) * K + k, k * M + min(m, M - 1u), TRANS_A)); }
fn op_b(k: u32, n: u32) -> f32 { return sb(select(k * N + min(n, N - 1u), min(n, N - 1u) * K + k, TRANS_B)); }

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_blocked(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let n0 = (wid.x * WG_X + lid.x) * columns_per_invocation();
  let m0 = (row_tile(wid, nwg) * WG_Y + lid.y) * select(4u, 8u, TALL);
  if (m0 >= M || n0 >= N) { return; }
  blocked_tile(m0, n0, false);
}

// 4, 8 (WIDE) or 16 (XWIDE) output columns per invocation.
fn columns_per_invocation() -> u32 {
  return select(select(4u, 8u, WIDE), 16u, XWIDE);
}

// op(B)'s 4 × 4 block at (k0, n0) as quad_b lays it out, loaded by this invocation alone or, with
// `share_b`, by its subgroup together (shared_quad_b, matmul-subgroup.wgsl). Every caller passes a
// constant, so after inlining only one of the two remains.
fn operand_b(k0: u32, n0: u32, share_b: bool) -> mat4x4<f32> {
  if (share_b) { return shared_quad_b(k0, n0); }
  return quad_b(k0, n0);
}

// A 4 × 4 output block as a matrix: column i is output row i, four columns wide.
// acc += b · a adds b · a[i] to row i: the same sums as four mat4x4 · vec4 products.
fn outer4(a: vec4<f32>, b: vec4<f32>) -> mat4x4<f32> {
  return mat4x4(a.x * b, a.y * b, a.z * b, a.w * b);
}

fn store_block(m0: u32, n0: u32, acc: mat4x4<f32>) {
  store_row(m0, n0, acc[0]);
  store_row(m0 + 1u, n0, acc[1]);
  store_row(m0 + 2u, n0, acc[2]);
  store_row(m0 + 3u, n0, acc[3]);
}

// The outputs from (m0, n0), n0 < N: 4 rows (8 with TALL) × 4 columns (8 with WIDE, 16 with XWIDE),
// as 4 × 4 blocks that share their loads: a block row's op(A) values serve every column block, a
// column block's op(B) values every row block. Rows from M on (matmul_subgroup keeps them, so that
// every invocation of a subgroup runs the same loop) are computed from whatever the clamped or
// bounds-checked loads give and never stored. Straight-line: no block is indexed by a variable.
fn blocked_tile(m0: u32, n0: u32, share_b: bool) {
  // acc<r><c>: rows m0 + 4r … + 3, columns n0 + 4c … + 3; sums_c: the column sums of op(B) there.
  var acc00 = mat4x4<f32>();
  var acc01 = mat4x4<f32>();
  var acc02 = mat4x4<f32>();
  var acc03 = mat4x4<f32>();
  var acc10 = mat4x4<f32>();
  var acc11 = mat4x4<f32>();
  var acc12 = mat4x4<f32>();
  var acc13 = mat4x4<f32>();
  var sums_0 = vec4<f32>(0.0);
  var sums_1 = vec4<f32>(0.0);
  var sums_2 = vec4<f32>(0.0);
  var sums_3 = vec4<f32>(0.0);
  let sums_row = BIAS_GRAD && m0 == 0u;
  // Full quads of k: no edge test inside (K is a constant, so the bound is too).
  for (var k0 = 0u; k0 + 4u <= K; k0 += 4u) {
    let ra0 = quad_a(m0, k0);
    var ra1 = mat4x4<f32>();
    if (TALL) { ra1 = quad_a(m0 + 4u, k0); }
    let b0 = operand_b(k0, n0, share_b);
    acc00 += b0 * ra0;
    if (TALL) { acc10 += b0 * ra1; }
    if (sums_row) { sums_0 += b0[0] + b0[1] + b0[2] + b0[3]; }
    if (WIDE) {
      let b1 = operand_b(k0, n0 + 4u, share_b);
      acc01 += b1 * ra0;
      if (TALL) { acc11 += b1 * ra1; }
      if (sums_row) { sums_1 += b1[0] + b1[1] + b1[2] + b1[3]; }
    }
    if (XWIDE) {
      let b2 = operand_b(k0, n0 + 8u, share_b);
      let b3 = operand_b(k0, n0 + 12u, share_b);
      acc02 += b2 * ra0;
      acc03 += b3 * ra0;
      if (TALL) {
        acc12 += b2 * ra1;
        acc13 += b3 * ra1;
      }
      if (sums_row) {
        sums_2 += b2[0] + b2[1] + b2[2] + b2[3];
        sums_3 += b3[0] + b3[1] + b3[2] + b3[3];
      }
    }
  }
  // The last K mod 4 values of k, one at a time (compiled out when 4 divides K).
  for (var k = K & ~3u; k < K; k++) {
    let av0 = vec4(op_a(m0, k), op_a(m0 + 1u, k), op_a(m0 + 2u, k), op_a(m0 + 3u, k));
    var av1 = vec4<f32>(0.0);
    if (TALL) { av1 = vec4(op_a(m0 + 4u, k), op_a(m0 + 5u, k), op_a(m0 + 6u, k), op_a(m0 + 7u, k)); }
    let bv0 = vec4(op_b(k, n0), op_b(k, n0 + 1u), op_b(k, n0 + 2u), op_b(k, n0 + 3u));
    acc00 += outer4(av0, bv0);
    if (TALL) { acc10 += outer4(av1, bv0); }
    if (sums_row) { sums_0 += bv0; }
    if (WIDE) {
      let bv1 = vec4(op_b(k, n0 + 4u), op_b(k, n0 + 5u), op_b(k, n0 + 6u), op_b(k, n0 + 7u));
      acc01 += outer4(av0, bv1);
      if (TALL) { acc11 += outer4(av1, bv1); }
      if (sums_row) { sums_1 += bv1; }
    }
    if (XWIDE) {
      let bv2 = vec4(op_b(k, n0 + 8u), op_b(k, n0 + 9u), op_b(k, n0 + 10u), op_b(k, n0 + 11u));
      let bv3 = vec4(op_b(k, n0 + 12u), op_b(k, n0 + 13u), op_b(k, n0 + 14u), op_b(k, n0 + 15u));
      acc02 += outer4(av0, bv2);
      acc03 += outer4(av0, bv3);
      if (TALL) {
        acc12 += outer4(av1, bv2);
        acc13 += outer4(av1, bv3);
      }
      if (sums_row) {
        sums_2 += bv2;
        sums_3 += bv3;
      }
    }
  }
  store_block(m0, n0, acc00);
  store_sums(m0, n0, sums_0);
  if (TALL) { store_block(m0 + 4u, n0, acc10); }
  if (WIDE && n0 + 4u < N) {
    store_block(m0, n0 + 4u, acc01);
    store_sums(m0, n0 + 4u, sums_1);
    if (TALL) { store_block(m0 + 4u, n0 + 4u, acc11); }
  }
  if (XWIDE && n0 + 8u < N) {
    store_block(m0, n0 + 8u, acc02);
    store_sums(m0, n0 + 8u, sums_2);
    if (TALL) { store_block(m0 + 4u, n0 + 8u, acc12); }
  }
  if (XWIDE && n0 + 12u < N) {
    store_block(m0, n0 + 12u, acc03);
    store_sums(m0, n0 + 12u, sums_3);
    if (TALL) { store_block(m0 + 4u, n0 + 12u, acc13); }
  }
}
