// The output layer: the loss gradient dZ_L, the mean loss and the count of rows classified right
// (docs/RULES.md, "Loss" and "Accuracy").
//   MSE: dZ = (Z − T) / B, loss_r = ½‖Z_r − T_r‖²
//   CE:  dZ = (softmax(Z) − T) / B, loss_r = Σ_k T_k (logsumexp(Z_r) − Z_k)  (stable for any Z)
//   right_r (CE): 1 when the first largest logit of Z_r is at the first largest target of T_r and
//   no logit is NaN, else 0.
// loss_rows writes one loss and one right_r per row; loss_mean sums them in one workgroup (the
// batch is small next to the layers, and a fixed tree keeps the sum's rounding the same run to
// run). The validation set is evaluated in batch-sized chunks: each chunk's pipeline divides by
// all its rows (DIVISOR) and adds to what the chunks before it wrote (ACCUMULATE).
// A grid's models (src/gpu/grid-trainer.ts) are the dispatch's y (loss_rows) or x (loss_mean):
// model g's z and dz start at g·Z_STRIDE, its row losses at g·ROW_STRIDE, its mean and count at
// loss_out[2g], loss_out[2g + 1]; the targets are every model's (same batch). The strides default
// to 0: one model, as before.

// The shape is compiled in, like the matmul's (a run's shapes are fixed).
override ROWS: u32;   // rows of this batch or chunk (≤ B)
override COLS: u32;   // n_L
// 0: mean squared error, 1: softmax cross-entropy.
override LOSS: u32 = 0u;
// What the summed losses are divided by: B for a training batch, every validation row for a chunk.
override DIVISOR: f32;
// 0: loss_out is this batch's; 1: loss_out adds this chunk's to the earlier chunks'.
override ACCUMULATE: u32 = 0u;
// Per-model strides in floats of z and dz, and of row_loss (2·B), in a grid.
override Z_STRIDE: u32 = 0u;
override ROW_STRIDE: u32 = 0u;

// z: [ROWS, n_L] row-major, the output layer's pre-activation Z_L.
@group(0) @binding(0) var<storage, read> z: array<f32>;
// t: [ROWS, n_L] row-major, targets (one-hot rows for CE).
@group(0) @binding(1) var<storage, read> t: array<f32>;
// dz: [ROWS, n_L] row-major, dZ_L.
@group(0) @binding(2) var<storage, read_write> dz: array<f32>;
// row_loss: [2·B]: [0, ROWS) the loss of each row (not yet divided), [ROWS, 2·ROWS) its right_r.
@group(0) @binding(3) var<storage, read_write> row_loss: array<f32>;

fn is_nan(x: f32) -> bool {
  // By the bits: a compiler may assume x != x is false (WGSL lets it assume no NaN).
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

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
  var right = 0.0;
  if (LOSS == 0u) {
    for (var k = 0u; k < n; k++) {
      let d = z[base + k] - t[tbase + k];
      dz[base + k] = d * inv_b;
      loss += 0.5 * d * d;
    }
  } else {
    var zmax = z[base];
    var best = 0u;
    var want = 0u;
    var has_nan = is_nan(z[base]);
    for (var k = 1u; k < n; k++) {
      let zk = z[base + k];
      has_nan = has_nan || is_nan(zk);
      if (zk > z[base + best]) { best = k; }
      if (t[tbase + k] > t[tbase + want]) { want = k; }
      zmax = max(zmax, zk);
    }
    if (!has_nan && best == want) { right = 1.0; }
    var sum = 0.0;
    for (var k = 0u; k < n; k++) { sum += exp(z[base + k] - zmax); }
    let log_sum = log(sum);
    for (var k = 0u; k < n; k++) {
      let shifted = z[base + k] - zmax;
      dz[base + k] = (exp(shifted) / sum - t[tbase + k]) * inv_b;
      loss += t[tbase + k] * (log_sum - shifted);
    }
  }
  let rows = model * ROW_STRIDE;
  row_loss[rows + r] = loss;
  row_loss[rows + ROWS + r] = right;
}

// loss_out: [2 · models]: the mean loss, and the count of rows classified right (exact in f32 below 2²⁴).
@group(0) @binding(4) var<storage, read_write> loss_out: array<f32>;

var<workgroup> partial: array<f32, 256>;
var<workgroup> partial_right: array<f32, 256>;

@compute @workgroup_size(256)
fn loss_mean(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let model = wid.x;
  let rows = model * ROW_STRIDE;
  var s = 0.0;
  var c = 0.0;
  for (var r = lid; r < ROWS; r += 256u) {
    s += row_loss[rows + r];
    c += row_loss[rows + ROWS + r];
  }
  partial[lid] = s;
  partial_right[lid] = c;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
      partial_right[lid] += partial_right[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var mean = partial[0] / DIVISOR;
    var right = partial_right[0];
    if (ACCUMULATE == 1u) {
      mean += loss_out[2u * model];
      right += loss_out[2u * model + 1u];
    }
    loss_out[2u * model] = mean;
    loss_out[2u * model + 1u] = right;
  }
}
