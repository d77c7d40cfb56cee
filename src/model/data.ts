import type { MlpConfig } from './config';
import { Rng } from './rng';

/** Rows of inputs and targets, row-major: x is [rows, n_0], t is [rows, n_L]. */
export interface Split {
  rows: number;
  x: Float64Array;
  t: Float64Array;
}

/** Training rows (trainRowCount; step t uses batch (t − 1) mod trainBatchCount, src/model/config.ts) and the validation rows. */
export interface Dataset {
  inputs: number;
  outputs: number;
  train: Split;
  validation: Split;
}

/** Hidden width of the teacher network; fixed and small so data stays cheap at any student size. */
export const TEACHER_HIDDEN = 32;

/**
 * Synthetic data from a seeded teacher MLP n_0 → 32 (tanh) → n_L. Inputs are standard
 * normal. Regression (loss `mse`): targets are the teacher's outputs plus Gaussian noise of
 * standard deviation `noise`. Classification (loss `ce`): one-hot of the teacher's argmax.
 * Validation rows come from the same teacher, so the train/validation gap shows over-fitting.
 */
export function makeDataset(config: Pick<MlpConfig, 'layers' | 'batch' | 'trainBatches' | 'loss' | 'noise' | 'seed'>): Dataset {
  const inputs = config.layers[0];
  const outputs = config.layers[config.layers.length - 1];
  const rng = new Rng(config.seed ^ 0xda7a5e7);
  const teacher = makeTeacher(inputs, outputs, rng);
  const split = (rows: number): Split => {
    const x = new Float64Array(rows * inputs);
    const t = new Float64Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      const xr = x.subarray(r * inputs, (r + 1) * inputs);
      for (let i = 0; i < inputs; i++) xr[i] = rng.normal();
      const y = teacher(xr);
      const tr = t.subarray(r * outputs, (r + 1) * outputs);
      if (config.loss === 'ce') {
        let best = 0;
        for (let k = 1; k < outputs; k++) if (y[k] > y[best]) best = k;
        tr[best] = 1;
      } else {
        for (let k = 0; k < outputs; k++) tr[k] = y[k] + config.noise * rng.normal();
      }
    }
    return { rows, x, t };
  };
  const train = split(config.batch * config.trainBatches);
  const validation = split(config.batch);
  return { inputs, outputs, train, validation };
}

function makeTeacher(inputs: number, outputs: number, rng: Rng): (x: Float64Array) => Float64Array {
  const h = TEACHER_HIDDEN;
  // Scaled so the hidden pre-activations have unit variance and outputs are O(1).
  const w1 = Float64Array.from({ length: inputs * h }, () => rng.normal() / Math.sqrt(inputs));
  const b1 = Float64Array.from({ length: h }, () => 0.1 * rng.normal());
  const w2 = Float64Array.from({ length: h * outputs }, () => rng.normal() / Math.sqrt(h));
  const hidden = new Float64Array(h);
  return (x) => {
    for (let j = 0; j < h; j++) {
      let s = b1[j];
      for (let i = 0; i < inputs; i++) s += x[i] * w1[i * h + j];
      hidden[j] = Math.tanh(s);
    }
    const y = new Float64Array(outputs);
    for (let k = 0; k < outputs; k++) {
      let s = 0;
      for (let j = 0; j < h; j++) s += hidden[j] * w2[j * outputs + k];
      y[k] = s;
    }
    return y;
  };
}

/** Rows [first, first + count) of a split, as views (no copy). */
export function rowsOf(split: Split, first: number, count: number, inputs: number, outputs: number): Split {
  return {
    rows: count,
    x: split.x.subarray(first * inputs, (first + count) * inputs),
    t: split.t.subarray(first * outputs, (first + count) * outputs),
  };
}
