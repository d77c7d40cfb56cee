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
  let n0 = (wid.x * WG_X + lid.x) * select(4u, 8u, WIDE);
  let m0 = (row_tile(wid, nwg) * WG_Y + lid.y) * select(4u, 8u, TALL);
  if (m0 >= M || n0 >= N) { return; }
  blocked_tile(m0, n0, false);
}

// op(B)'s 4 × 4 block at (k0, n0) as quad_b lays it out, loaded by this invocation alone or, with
// `share_b`, by its subgroup together (shared_quad_b, matmul-subgroup.wgsl). Every caller passes a
// constant, so after inlining only one of the two remains.
fn operand_b(k0: u32, n0: u32, share_b: bool) -> mat4x4<f32> {
  if (share_b) { return shared_quad_b(k0, n0); }
  return quad_b(k0, n0);
}

// The 4 × 4 outputs from (m0, n0), n0 < N, or 4 × 8 (WIDE), 8 × 4 (TALL) or 8 × 8 (both). Rows from M on (matmul_subgroup keeps
// them, so that every invocation of a subgroup runs the same loop) are computed from whatever the
// clamped or bounds-checked loads give and never stored.
fn blocked_tile(m0: u32, n0: u32, share_b: bool) {
  // acc_i: output row m0 + i, columns n0 … n0 + 3; with WIDE, wacc_i: columns n0 + 4 … n0 + 7.
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var wacc0 = vec4<f32>(0.0);
  var wacc1 = vec4<f32>(0.0);
  var wacc2 = vec4<f32>(0.0);
  var wacc3 = vec4<f32>(0.0);
  // With TALL, tacc_i / twacc_i: rows m0 + 4 + i, from the same op(B) values.
  var tacc0 = vec4<f32>(0.0);
  var tacc1 = vec4<f32>(0.0);
  var tacc2 = vec4<f32>(0.0);
  var tacc3 = vec4<f32>(0.0);
  var twacc0 = vec4<f32>(0.0);
  var twacc1 = vec4<f32>(0.0);
  var twacc2 = vec4<f32>(0.0);
  var twacc3 = vec4<f32>(0.0);
  var col_sums = vec4<f32>(0.0);
  var wcol_sums = vec4<f32>(0.0);
  let sums_row = BIAS_GRAD && m0 == 0u;
  // Full quads of k: no edge test inside (K is a constant, so the bound is too).
  for (var k0 = 0u; k0 + 4u <= K; k0 += 4u) {
    let ra = quad_a(m0, k0);
    let rb = operand_b(k0, n0, share_b);
    acc0 += rb * ra[0];
    acc1 += rb * ra[1];
    acc2 += rb * ra[2];
    acc3 += rb * ra[3];
    if (sums_row) { col_sums += rb[0] + rb[1] + rb[2] + rb[3]; }
    if (WIDE) {
      // The second block reuses the A values already loaded: 12 loads per 128 multiply-adds.
      let wb = operand_b(k0, n0 + 4u, share_b);
      wacc0 += wb * ra[0];
      wacc1 += wb * ra[1];
      wacc2 += wb * ra[2];
      wacc3 += wb * ra[3];
      if (sums_row) { wcol_sums += wb[0] + wb[1] + wb[2] + wb[3]; }
    }
    if (TALL) {
      // Four more rows on the same op(B) block: 4 more A loads per 64 (128) multiply-adds.
      let ta = quad_a(m0 + 4u, k0);
      tacc0 += rb * ta[0];
      tacc1 += rb * ta[1];
      tacc2 += rb * ta[2];
      tacc3 += rb * ta[3];
      if (WIDE) {
        let wb = operand_b(k0, n0 + 4u, share_b);
        twacc0 += wb * ta[0];
        twacc1 += wb * ta[1];
        twacc2 += wb * ta[2];
        twacc3 += wb * ta[3];
      }
    }
  }
  // The last K mod 4 values of k, one at a time (compiled out when 4 divides K).
  for (var k = K & ~3u; k < K; k++) {
    let av = vec4(op_a(m0, k), op_a(m0 + 1u, k), op_a(m0 + 2u, k), op_a(m0 + 3u, k));
    let bv = vec4(op_b(k, n0), op_b(k, n0 + 1u), op_b(k, n0 + 2u), op_b(k, n0 + 3u));
    acc0 += av.x * bv;
    acc1 += av.y * bv;
    acc2 += av.z * bv;
    acc3 += av.w * bv;
    if (sums_row) { col_sums += bv; }
    if (WIDE) {
      let wv = vec4(op_b(k, n0 + 4u), op_b(k, n0 + 5u), op_b(k, n0 + 6u), op_b(k, n0 + 7u));
      wacc0 += av.x * wv;
      wacc1 += av.y * wv;
      wacc2 += av.z * wv;
      wacc3 += av.w * wv;
      if (sums_row) { wcol_sums += wv; }
    }
    if (TALL) {
      let tv = vec4(op_a(m0 + 4u, k), op_a(m0 + 5u, k), op_a(m0 + 6u, k), op_a(m0 + 7u, k));
      tacc0 += tv.x * bv;
      tacc1 += tv.y * bv;
      tacc2 += tv.z * bv;
      tacc3 += tv.w * bv;
      if (WIDE) {
        let wv = vec4(op_b(k, n0 + 4u), op_b(k, n0 + 5u), op_b(k, n0 + 6u), op_b(k, n0 + 7u));
        twacc0 += tv.x * wv;
        twacc1 += tv.y * wv;
        twacc2 += tv.z * wv;
        twacc3 += tv.w * wv;
      }
    }
  }
  store_row(m0, n0, acc0);
  store_row(m0 + 1u, n0, acc1);
  store_row(m0 + 2u, n0, acc2);
  store_row(m0 + 3u, n0, acc3);
  store_sums(m0, n0, col_sums);
  if (WIDE && n0 + 4u < N) {
    store_row(m0, n0 + 4u, wacc0);
    store_row(m0 + 1u, n0 + 4u, wacc1);
    store_row(m0 + 2u, n0 + 4u, wacc2);
    store_row(m0 + 3u, n0 + 4u, wacc3);
    store_sums(m0, n0 + 4u, wcol_sums);
  }
  if (TALL) {
    store_row(m0 + 4u, n0, tacc0);
    store_row(m0 + 5u, n0, tacc1);
    store_row(m0 + 6u, n0, tacc2);
    store_row(m0 + 7u, n0, tacc3);
    if (WIDE && n0 + 4u < N) {
      store_row(m0 + 4u, n0 + 4u, twacc0);
      store_row(m0 + 5u, n0 + 4u, twacc1);
      store_row(m0 + 6u, n0 + 4u, twacc2);
      store_row(m0 + 7u, n0 + 4u, twacc3);
    }
  }
}
