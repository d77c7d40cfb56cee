// matmul_subgroup: matmul_blocked's register blocks with op(B) loaded once per subgroup of 4
// instead of once per invocation. Compiled only where the device has `subgroups` and its subgroups
// are 4 wide (src/gpu/kernels.ts), as its own module: this file first (its directives must open
// the module), then matmul.wgsl and matmul-blocked.wgsl.
//
// The four invocations of a subgroup take four consecutive row blocks (4 rows, or 8 with TALL) of
// one column block, so they need the same 4 × 4 (4 × 8) block of op(B) at every k step.
// Invocation `lane` loads row k0 + lane of it (4 or 8 floats instead of 16 or 32) and
// subgroupBroadcast hands each row to the other three: 8 of matmul_blocked's 12 vec4 loads per k
// step become 2 loads and 8 broadcasts, which TALL's second row block uses again.
// Each invocation still sums its outputs in the same order, so the results are bitwise those of
// matmul_blocked. docs/BENCHMARKS.md, "Subgroup-shared operands".
enable subgroups;
// The broadcasts run in control flow that is uniform per subgroup (the `share_b` test below), which
// WGSL's workgroup-scope uniformity analysis cannot see.
diagnostic(off, subgroup_uniformity);

var<private> sg_lane: u32;
// Invocations per workgroup, a multiple of 16: row_blocks (16, or 8 with TALL) × column blocks.
override SUBGROUP_WG: u32 = 64u;

// Row k of op(B), columns n0 … n0 + 3 (clamped to N − 1, as quad_b does).
fn row_b(k: u32, n0: u32) -> vec4<f32> {
  if (!TRANS_B) { return clamped4_b(k * N, n0, N - 1u, (N & 3u) == 0u); }
  return vec4(op_b(k, n0), op_b(k, n0 + 1u), op_b(k, n0 + 2u), op_b(k, n0 + 3u));
}

// quad_b(k0, n0), from one load per invocation. Column kk is op(B)'s row k0 + kk: loaded by lane
// kk, or, for a transposed B whose rows are 16-byte aligned (4 divides K), assembled from the
// stored rows n0 + lane that the lanes load as one vec4 each (op(B)[k0 … k0 + 3, n0 + lane]):
// one vec4 load instead of four scalar ones, 21 % faster on dA (docs/BENCHMARKS.md).
fn shared_quad_b(k0: u32, n0: u32) -> mat4x4<f32> {
  if (TRANS_B && (K & 3u) == 0u) {
    let stored = vb(min(n0 + sg_lane, N - 1u) * K + k0);
    return transpose(mat4x4(subgroupBroadcast(stored, 0u), subgroupBroadcast(stored, 1u), subgroupBroadcast(stored, 2u), subgroupBroadcast(stored, 3u)));
  }
  let mine = row_b(k0 + sg_lane, n0);
  return mat4x4(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u), subgroupBroadcast(mine, 3u));
}

// A workgroup holds 64 rows (16 row blocks, or 8 with TALL) × SUBGROUP_WG / row_blocks column
// blocks, numbered so that consecutive invocations walk down a column of row blocks.
@compute @workgroup_size(SUBGROUP_WG)
fn matmul_subgroup(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) size: u32,
) {
  let row_blocks = select(16u, 8u, TALL);
  let n0 = (wid.x * (SUBGROUP_WG / row_blocks) + li / row_blocks) * select(4u, 8u, WIDE);
  let m0 = (row_tile(wid, nwg) * row_blocks + li % row_blocks) * select(4u, 8u, TALL);
  sg_lane = lane;
  // Share only when this subgroup is 4 full lanes on one column block: WGSL does not promise how
  // invocations form subgroups, so a subgroup formed otherwise loads its own operands (the same
  // sums, without the broadcasts). Decided before any invocation leaves.
  let one_block = subgroupAll(subgroupBroadcast(n0, 0u) == n0);
  let full = subgroupAdd(1u) == 4u;
  let share_b = size == 4u && one_block && full;
  if (n0 >= N) { return; }
  if (share_b) {
    blocked_tile(m0, n0, true);
  } else {
    blocked_tile(m0, n0, false);
  }
}
