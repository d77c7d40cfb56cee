// One pass over a parameter buffer applying one of the six rules of docs/RULES.md.
// The optimizer and the regularizer are override constants, so the L2 and the decay variant
// run the same code except the rule itself; per-step values arrive in a uniform slot.
// A grid (src/gpu/grid-trainer.ts) holds its models back to back, MODEL_STRIDE floats each; model g
// multiplies the slot's η, λ, α by its own (model_params[g]), so the slot carries the shared
// per-step factors (1 for a constant schedule: x·1 is exact). MODEL_STRIDE 0: one model, the slot
// as is, and model_params is never read.

struct StepParams {
  lr: f32,       // η
  lambda: f32,   // λ, the L2 coefficient (coupled variant)
  alpha: f32,    // α = η·λ, the decay factor (decoupled variant)
  mu: f32,       // momentum μ
  beta1: f32,
  beta2: f32,
  eps: f32,
  c1: f32,       // 1 − β1^t, Adam's bias correction of m, computed in float64 on the host
  c2: f32,       // 1 − β2^t
  // 1 − β1 and 1 − β2 rounded once from float64: 1.0 − f32(0.999) is off by 1.3e-5 relative,
  // the same way every step.
  one_minus_beta1: f32,
  one_minus_beta2: f32,
}

// 0: SGD, 1: SGD + momentum, 2: Adam.
override OPTIMIZER: u32 = 0u;
// false: L2 (λw added to the gradient); true: decoupled decay ((1 − α)·w, computed as w − α·w).
override DECOUPLED: bool = false;
// false for parameters left unregularized (biases, unless the run says otherwise).
override REGULARIZED: bool = true;
// Floats per model in a grid's buffers (a multiple of 4); 0 for a single model.
override MODEL_STRIDE: u32 = 0u;

@group(0) @binding(0) var<uniform> p: StepParams;
// w: the parameters (W_l [n_{l-1}, n_l] or b_l [n_l]), updated in place.
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
// g: the loss gradient of w, same layout.
@group(0) @binding(2) var<storage, read> g: array<f32>;
// s1: momentum's v or Adam's m, same layout (a dummy for SGD).
@group(0) @binding(3) var<storage, read_write> s1: array<f32>;
// s2: Adam's s, same layout (a dummy otherwise).
@group(0) @binding(4) var<storage, read_write> s2: array<f32>;
// model_params: [models] of (η, λ, α, unused), each model's own (grid only).
@group(0) @binding(5) var<storage, read> model_params: array<vec4<f32>>;

@compute @workgroup_size(256)
fn update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= arrayLength(&w)) { return; }
  var lr = p.lr;
  var lambda = p.lambda;
  var alpha = p.alpha;
  if (MODEL_STRIDE > 0u) {
    let own = model_params[i / max(MODEL_STRIDE, 1u)]; // max: the division must compile where the stride is 0
    lr *= own.x;
    lambda *= own.y;
    alpha *= own.z;
  }
  let wi = w[i];
  var gi = g[i];
  // The decay term uses the weight from before the step (docs/RULES.md). (1 − α)·w is written
  // w − α·w: 1 − α rounded to f32 (half an ulp, ~3e-8) would shrink every weight by the same
  // wrong factor each step, a gap of ~6e-6 after 200 steps instead of rounding noise.
  var keep = wi;
  if (REGULARIZED) {
    if (DECOUPLED) { keep = wi - alpha * wi; } else { gi += lambda * wi; }
  }
  if (OPTIMIZER == 0u) {
    w[i] = keep - lr * gi;
  } else if (OPTIMIZER == 1u) {
    let v = p.mu * s1[i] + gi;
    s1[i] = v;
    w[i] = keep - lr * v;
  } else {
    let m = p.beta1 * s1[i] + p.one_minus_beta1 * gi;
    let s = p.beta2 * s2[i] + p.one_minus_beta2 * gi * gi;
    s1[i] = m;
    s2[i] = s;
    w[i] = keep - lr * (m / p.c1) / (sqrt(s / p.c2) + p.eps);
  }
}
