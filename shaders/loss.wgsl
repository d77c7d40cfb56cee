// The output layer: the loss gradient dZ_L and the mean loss of the batch (docs/RULES.md).
//   MSE: dZ = (Z − T) / B, loss_r = ½‖Z_r − T_r‖²
//   CE:  dZ = (softmax(Z) − T) / B, loss_r = Σ_k T_k (logsumexp(Z_r) − Z_k)  (stable for any Z)
// loss_rows writes one loss per row; loss_mean sums them in one workgroup (the batch is small
// next to the layers, and a fixed tree keeps the sum's rounding the same run to run).
// A grid's models (src/gpu/grid-trainer.ts) are the dispatch's y (loss_rows) or x (loss_mean):
// model g's z, dz start at g·Z_STRIDE, its row losses at g·ROWS, its mean at loss_out[g]; the
// targets are every model's (same batch). Z_STRIDE defaults to 0: one model, as before.

// The shape is compiled in, like the matmul's (a run's shapes are fixed).
override ROWS: u32;   // B
override COLS: u32;   // n_L
// 0: mean squared error, 1: softmax cross-entropy.
override LOSS: u32 = 0u;
override Z_STRIDE: u32 = 0u;

// z: [B, n_L] row-major, the output layer's pre-activation Z_L.
@group(0) @binding(0) var<storage, read> z: array<f32>;
// t: [B, n_L] row-major, targets (one-hot rows for CE).
@group(0) @binding(1) var<storage, read> t: array<f32>;
// dz: [B, n_L] row-major, dZ_L.
@group(0) @binding(2) var<storage, read_write> dz: array<f32>;
// row_loss: [B], loss of each row (not yet divided by B).
@group(0) @binding(3) var<storage, read_write> row_loss: array<f32>;

@compute @workgroup_size(64)
fn loss_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= ROWS) { return; }
  let n = COLS;
  let model = gid.y;
  let base = model * Z_STRIDE + r * n;
  let tbase = r * n;
  let inv_b = 1.0 / f32(ROWS);
  var loss = 0.0;
  if (LOSS == 0u) {
    for (var k = 0u; k < n; k++) {
      let d = z[base + k] - t[tbase + k];
      dz[base + k] = d * inv_b;
      loss += 0.5 * d * d;
    }
  } else {
    var zmax = z[base];
    for (var k = 1u; k < n; k++) { zmax = max(zmax, z[base + k]); }
    var sum = 0.0;
    for (var k = 0u; k < n; k++) { sum += exp(z[base + k] - zmax); }
    let log_sum = log(sum);
    for (var k = 0u; k < n; k++) {
      let shifted = z[base + k] - zmax;
      dz[base + k] = (exp(shifted) / sum - t[tbase + k]) * inv_b;
      loss += t[tbase + k] * (log_sum - shifted);
    }
  }
  row_loss[model * ROWS + r] = loss;
}

// loss_out: [models], the mean loss over the batch.
@group(0) @binding(4) var<storage, read_write> loss_out: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn loss_mean(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let model = wid.x;
  var s = 0.0;
  for (var r = lid; r < ROWS; r += 256u) { s += row_loss[model * ROWS + r]; }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss_out[model] = partial[0] / f32(ROWS); }
}
