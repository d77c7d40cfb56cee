// The matmul module without subgroups (src/gpu/kernels.ts): operand_b's shared load is never
// taken there (matmul_blocked passes share_b = false), but WGSL needs the function to exist.
fn shared_quad_b(k0: u32, n0: u32) -> mat4x4<f32> {
  return quad_b(k0, n0);
}
