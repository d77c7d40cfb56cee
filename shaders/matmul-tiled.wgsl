// matmul_tiled: the entry point of shaders/matmul.wgsl's kernel family that stages 64×16 / 16×64
// tiles in workgroup memory. Compiled as one module with matmul.wgsl (its overrides, bindings and
// helpers) and matmul-blocked.wgsl: src/gpu/kernels.ts joins the three.
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
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
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
      if (m < M) { v = masked4_a(m * K + k, in_range(k, K), (K & 3u) == 0u); }
      let q = r / 4u;
      let i = r % 4u;
      tile_a[c * 16u + q][i] = v.x;
      tile_a[(c + 1u) * 16u + q][i] = v.y;
      tile_a[(c + 2u) * 16u + q][i] = v.z;
      tile_a[(c + 3u) * 16u + q][i] = v.w;
    } else {
      let kr = tid / 16u;          // k offset 0…15
      let q = tid % 16u;           // 4-row group
      let k = k0 + kr;
      let m = m_base + q * 4u;
      var v = vec4<f32>(0.0);
      if (k < K) { v = masked4_a(k * M + m, in_range(m, M), (M & 3u) == 0u); }
      tile_a[kr * 16u + q] = v;
    }
    if (!TRANS_B) {
      let kr = tid / 16u;
      let q = tid % 16u;
      let k = k0 + kr;
      let n = n_base + q * 4u;
      var v = vec4<f32>(0.0);
      if (k < K) { v = masked4_b(k * N + n, in_range(n, N), (N & 3u) == 0u); }
      tile_b[kr * 16u + q] = v;
    } else {
      let r = tid / 4u;
      let c = (tid % 4u) * 4u;
      let n = n_base + r;
      let k = k0 + c;
      var v = vec4<f32>(0.0);
      if (n < N) { v = masked4_b(n * K + k, in_range(k, K), (K & 3u) == 0u); }
      let q = r / 4u;
      let j = r % 4u;
      tile_b[c * 16u + q][j] = v.x;
      tile_b[(c + 1u) * 16u + q][j] = v.y;
      tile_b[(c + 2u) * 16u + q][j] = v.z;
      tile_b[(c + 3u) * 16u + q][j] = v.w;
    }
    workgroupBarrier();
    for (var k = 0u; k < KT; k++) {
      let av = tile_a[k * 16u + lid.y];
      let bv = tile_b[k * 16u + lid.x];
      acc0 = fma(vec4<f32>(av.x), bv, acc0);
      acc1 = fma(vec4<f32>(av.y), bv, acc1);
      acc2 = fma(vec4<f32>(av.z), bv, acc2);
      acc3 = fma(vec4<f32>(av.w), bv, acc3);
      if (sums_row) { col_sums += bv; }
    }
    workgroupBarrier();
  }
  let m0 = m_base + lid.y * 4u;
  let n0 = n_base + lid.x * 4u;
  if (m0 < M && n0 < N) {
    store_row(m0, n0, acc0);
    store_row(m0 + 1u, n0, acc1);
    store_row(m0 + 2u, n0, acc2);
    store_row(m0 + 3u, n0, acc3);
    store_sums(m0, n0, col_sums);
  }
}
