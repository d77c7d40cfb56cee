// Per-layer sums of squares of W (the norms). Bias gradients are a by-product of the dW
// product (shaders/matmul.wgsl, BIAS_GRAD).

// COUNT: values of W_l (sum_squares); PARTIALS: stage-1 workgroups, LAYER: l − 1 (sum_partials).
// Compiled in: one pipeline per layer shape, no uniform.
override COUNT: u32 = 1u;
override PARTIALS: u32 = 1u;
override LAYER: u32 = 0u;

// src: W_l flattened (sum_squares); stage 1's partial sums (sum_partials).
@group(0) @binding(0) var<storage, read> src: array<f32>;
// dst: [workgroups] partial sums (sum_squares).
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

var<workgroup> partial: array<f32, 256>;

// Stage 1 of Σ w²: each workgroup sums a grid-strided share of the COUNT values
// into dst[workgroup]; stage 2 (sum_partials) adds those up. Tree sums keep f32 error ~log n.
@compute @workgroup_size(256)
fn sum_squares(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let n = COUNT;
  var s = 0.0;
  for (var i = wid.x * 256u + lid; i < n; i += nwg.x * 256u) {
    let v = src[i];
    s += v * v;
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dst[wid.x] = partial[0]; }
}

// out: [L], one sum of squares per layer.
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn sum_partials(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < PARTIALS; i += 256u) { s += src[i]; }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[LAYER] = partial[0]; }
}
