/**
 * The fast CPU trainer's output layer (fast.ts): the loss of a pass and dZ_L, on the calling
 * thread between the jobs. Small (rows × n_L), so in float64 like the reference (docs/RULES.md).
 */
import type { MlpConfig } from '../model/config';
import { correctRows } from '../model/accuracy';
import type { PassBuffers } from './fast-layout';

/**
 * Mean loss of the pass's outputs (heap `h`) against `targets` over `rows` rows, writing Ŷ to
 * pass.y for cross-entropy; where `dZ` is given (the training pass) also dZ_L = (Ŷ − T)/rows there.
 */
export function outputLoss(h: Float32Array, config: MlpConfig, pass: PassBuffers, targets: number, rows: number, dZ: number | null): number {
  const L = config.layers.length - 1;
  const n = config.layers[L];
  const z = pass.z[L - 1];
  const ce = config.loss === 'ce';
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const zr = z + r * n;
    const tr = targets + r * n;
    const yr = pass.y + r * n;
    if (ce) {
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, h[zr + k]);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(h[zr + k] - max);
      const logSumExp = max + Math.log(sum);
      for (let k = 0; k < n; k++) {
        total += h[tr + k] * (logSumExp - h[zr + k]);
        h[yr + k] = Math.exp(h[zr + k] - max) / sum;
      }
    } else {
      for (let k = 0; k < n; k++) total += 0.5 * (h[zr + k] - h[tr + k]) ** 2;
    }
    if (dZ !== null) for (let k = 0; k < n; k++) h[dZ + r * n + k] = (h[yr + k] - h[tr + k]) / rows;
  }
  return total / rows;
}

/** Rows of the pass whose logits pick their target (src/model/accuracy.ts, docs/RULES.md "Accuracy"), read in the heap. */
export function outputCorrect(h: Float32Array, config: MlpConfig, pass: PassBuffers, targets: number, rows: number): number {
  const L = config.layers.length - 1;
  return correctRows(h, pass.z[L - 1], h, targets, rows, config.layers[L]);
}
