/**
 * The float64 reference trainer: docs/RULES.md line by line, in plain loops, written to be
 * obviously right rather than fast. It is the oracle every other backend is tested against.
 */
import type { Activation, Loss, MlpConfig, Variant } from '../model/config';
import { trainBatchCount, validateConfig } from '../model/config';
import type { Dataset, Split } from '../model/data';
import { rowsOf } from '../model/data';
import { frobeniusNorm } from '../model/metrics';
import type { MlpParameters } from '../model/parameters';
import { assertParameterShapes, cloneParameters, initialParameters } from '../model/parameters';
import type { Losses, Trainer, TrainTiming } from '../model/trainer';
import { checkDataset, checkStepCount } from '../model/trainer';
import type { OptimizerState } from '../model/update-rules';
import { applyUpdate, stepHyperparameters, zeroState } from '../model/update-rules';
import { correctRows, hasAccuracy } from '../model/accuracy';

/** Everything the forward pass computed: Z_l and A_l for l = 1…L (index l − 1), and the outputs Ŷ. */
export interface ForwardPass {
  z: Float64Array[];
  a: Float64Array[];
  y: Float64Array;
}

/** Forward pass over `rows` rows of x (row-major [rows, n_0]). */
export function forward(layers: readonly number[], activation: Activation, loss: Loss, p: MlpParameters, x: Float64Array, rows: number): ForwardPass {
  const L = layers.length - 1;
  const z: Float64Array[] = [];
  const a: Float64Array[] = [];
  let input = x;
  for (let l = 1; l <= L; l++) {
    const nIn = layers[l - 1];
    const nOut = layers[l];
    const W = p.weights[l - 1];
    const b = p.biases[l - 1];
    const Z = new Float64Array(rows * nOut);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < nOut; j++) {
        let s = b[j];
        for (let i = 0; i < nIn; i++) s += input[r * nIn + i] * W[i * nOut + j];
        Z[r * nOut + j] = s;
      }
    }
    const A = l < L ? Z.map((v) => act(activation, v)) : Z;
    z.push(Z);
    a.push(A);
    input = A;
  }
  const zL = z[L - 1];
  const nL = layers[L];
  const y = loss === 'ce' ? softmaxRows(zL, rows, nL) : zL;
  return { z, a, y };
}

function act(activation: Activation, v: number): number {
  return activation === 'tanh' ? Math.tanh(v) : Math.max(0, v);
}

/** act'(Z) written through what the backward pass has: tanh' = 1 − A², relu' = [Z > 0]. */
function actDerivative(activation: Activation, zv: number, av: number): number {
  return activation === 'tanh' ? 1 - av * av : zv > 0 ? 1 : 0;
}

/** Row-wise softmax, stabilised by subtracting each row's maximum. */
export function softmaxRows(z: Float64Array, rows: number, n: number): Float64Array {
  const out = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, z[r * n + k]);
    let sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp(z[r * n + k] - max);
    for (let k = 0; k < n; k++) out[r * n + k] = Math.exp(z[r * n + k] - max) / sum;
  }
  return out;
}

/** Mean loss over the rows: MSE ½‖Ŷ − T‖², or cross-entropy through log-sum-exp of Z_L. */
export function meanLoss(loss: Loss, zL: Float64Array, y: Float64Array, t: Float64Array, rows: number, n: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (loss === 'mse') {
      for (let k = 0; k < n; k++) total += 0.5 * (y[r * n + k] - t[r * n + k]) ** 2;
    } else {
      // −Σ T log softmax(Z) = Σ T (logsumexp(Z) − Z): stable for any Z.
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, zL[r * n + k]);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(zL[r * n + k] - max);
      const logSumExp = max + Math.log(sum);
      for (let k = 0; k < n; k++) total += t[r * n + k] * (logSumExp - zL[r * n + k]);
    }
  }
  return total / rows;
}

/** Loss gradients of every layer (g of docs/RULES.md, no penalty). */
export interface Gradients {
  weights: Float64Array[];
  biases: Float64Array[];
}

/** Loss and its gradients for one batch: the forward pass, then backward for l = L … 1. */
export function lossAndGradients(
  config: Pick<MlpConfig, 'layers' | 'activation' | 'loss'>,
  p: MlpParameters,
  x: Float64Array,
  t: Float64Array,
  rows: number,
): { loss: number; correct: number; grads: Gradients } {
  const { layers, activation } = config;
  const L = layers.length - 1;
  const fw = forward(layers, activation, config.loss, p, x, rows);
  const nL = layers[L];
  const loss = meanLoss(config.loss, fw.z[L - 1], fw.y, t, rows, nL);
  const correct = correctRows(fw.z[L - 1], 0, t, 0, rows, nL);

  // dZ_L = (Ŷ − T) / B, for both losses.
  let dZ = new Float64Array(rows * nL);
  for (let i = 0; i < dZ.length; i++) dZ[i] = (fw.y[i] - t[i]) / rows;

  const weights: Float64Array[] = new Array(L);
  const biases: Float64Array[] = new Array(L);
  for (let l = L; l >= 1; l--) {
    const nIn = layers[l - 1];
    const nOut = layers[l];
    const aPrev = l === 1 ? x : fw.a[l - 2];
    const dW = new Float64Array(nIn * nOut); // A_{l-1}ᵀ · dZ_l
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < nOut; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += aPrev[r * nIn + i] * dZ[r * nOut + j];
        dW[i * nOut + j] = s;
      }
    const db = new Float64Array(nOut); // Σ_b dZ_l
    for (let r = 0; r < rows; r++) for (let j = 0; j < nOut; j++) db[j] += dZ[r * nOut + j];
    weights[l - 1] = dW;
    biases[l - 1] = db;
    if (l === 1) break;
    // dA_{l-1} = dZ_l · W_lᵀ, then dZ_{l-1} = dA_{l-1} ⊙ act'(Z_{l-1}).
    const W = p.weights[l - 1];
    const zPrev = fw.z[l - 2];
    const dZPrev = new Float64Array(rows * nIn);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < nIn; i++) {
        let s = 0;
        for (let j = 0; j < nOut; j++) s += dZ[r * nOut + j] * W[i * nOut + j];
        dZPrev[r * nIn + i] = s * actDerivative(activation, zPrev[r * nIn + i], aPrev[r * nIn + i]);
      }
    dZ = dZPrev;
  }
  return { loss, correct, grads: { weights, biases } };
}

/** The reference trainer: float64 state, the batch schedule of the dataset, docs/RULES.md's update rules. */
export class ReferenceTrainer implements Trainer {
  readonly backend = 'reference' as const;
  readonly config: MlpConfig;
  private params: MlpParameters;
  private state: { weights: OptimizerState[]; biases: OptimizerState[] };
  private stepCount = 0;
  private lastTrainLoss = Number.NaN;
  /** Rows of the last step's batch classified right (docs/RULES.md, "Accuracy"); NaN before any step. */
  private lastTrainCorrect = Number.NaN;
  private disposed = false;

  constructor(
    config: MlpConfig,
    readonly variant: Variant,
    private readonly data: Dataset,
  ) {
    this.config = validateConfig({ ...config });
    checkDataset(this.config, data);
    this.params = initialParameters(this.config);
    this.state = this.freshState();
  }

  get step(): number {
    return this.stepCount;
  }

  private freshState(): { weights: OptimizerState[]; biases: OptimizerState[] } {
    const zeros = (n: number) => new Float64Array(n);
    return {
      weights: this.params.weights.map((w) => zeroState(this.config.optimizer, w.length, zeros)),
      biases: this.params.biases.map((b) => zeroState(this.config.optimizer, b.length, zeros)),
    };
  }

  private alive(): void {
    if (this.disposed) throw new Error('This reference trainer was disposed; create a new one.');
  }

  async setParameters(p: MlpParameters): Promise<void> {
    this.alive();
    assertParameterShapes(p, this.config.layers);
    this.params = cloneParameters(p);
    this.state = this.freshState();
    this.stepCount = 0;
    this.lastTrainLoss = Number.NaN;
    this.lastTrainCorrect = Number.NaN;
  }

  async getParameters(): Promise<MlpParameters> {
    this.alive();
    return cloneParameters(this.params);
  }

  /** The mini-batch of step `t` (1-based): batch (t − 1) mod trainBatchCount of the training set (docs/RULES.md, "Data"). */
  private batchOf(t: number): Split {
    const { batch } = this.config;
    return rowsOf(this.data.train, ((t - 1) % trainBatchCount(this.config)) * batch, batch, this.data.inputs, this.data.outputs);
  }

  /** One step, docs/RULES.md: gradients of the loss alone, then the rule on every parameter array. */
  stepOnce(): void {
    const t = this.stepCount + 1;
    const { x, t: targets, rows } = this.batchOf(t);
    const { loss, correct, grads } = lossAndGradients(this.config, this.params, x, targets, rows);
    const h = stepHyperparameters(this.config, t);
    const { optimizer, regularizeBias } = this.config;
    this.params.weights.forEach((w, l) => applyUpdate(optimizer, this.variant, w, grads.weights[l], this.state.weights[l], h, t, true));
    this.params.biases.forEach((b, l) => applyUpdate(optimizer, this.variant, b, grads.biases[l], this.state.biases[l], h, t, regularizeBias));
    this.stepCount = t;
    this.lastTrainLoss = loss;
    this.lastTrainCorrect = correct;
  }

  async train(steps: number): Promise<TrainTiming> {
    this.alive();
    checkStepCount(steps);
    for (let i = 0; i < steps; i++) this.stepOnce();
    return {};
  }

  async norms(): Promise<number[]> {
    this.alive();
    return this.params.weights.map(frobeniusNorm);
  }

  async losses(): Promise<Losses> {
    this.alive();
    const { layers, activation, loss } = this.config;
    const v = this.data.validation;
    const fw = forward(layers, activation, loss, this.params, v.x, v.rows);
    const nL = layers[layers.length - 1];
    const validation = meanLoss(loss, fw.z[fw.z.length - 1], fw.y, v.t, v.rows, nL);
    const accuracy = hasAccuracy(this.config);
    return {
      train: this.lastTrainLoss,
      validation,
      trainAccuracy: accuracy ? this.lastTrainCorrect / this.config.batch : Number.NaN,
      validationAccuracy: accuracy ? correctRows(fw.z[fw.z.length - 1], 0, v.t, 0, v.rows, nL) / v.rows : Number.NaN,
    };
  }

  dispose(): void {
    this.disposed = true;
  }
}

export function createReferenceTrainer(config: MlpConfig, variant: Variant, data: Dataset): ReferenceTrainer {
  return new ReferenceTrainer(config, variant, data);
}
